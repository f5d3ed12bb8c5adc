// X (Twitter) API v2 recent search: GET /2/tweets/search/recent answers
// {"data":[{"id","text","author_id","created_at","lang","public_metrics":{…},"entities":{…}}],
//  "includes":{…},"meta":{"newest_id","oldest_id","result_count","next_token"}};
// `data` is absent when result_count is 0.
#pragma once

#include <string>
#include <vector>

#include <simdjson.h>

#include "core/market.hpp"
#include "core/result.hpp"

namespace cryptolake::sources::social {

struct RejectedPost {
  size_t index = 0;
  std::string reason;
  std::string text;  // the tweet object as JSON
};

// One tweet object; fails with corrupt_data when id, text or created_at is missing or invalid.
[[nodiscard]] core::Result<core::Post> parse_v2_tweet(simdjson::dom::object tweet, core::Timestamp received_at);

// A whole response: good tweets to `out`, bad ones to `rejected`. Fails when the body is not a
// v2 response object.
[[nodiscard]] core::Status parse_v2_search(simdjson::dom::element payload, core::Timestamp received_at,
                                           std::vector<core::Post>& out, std::vector<RejectedPost>& rejected);

}  // namespace cryptolake::sources::social
