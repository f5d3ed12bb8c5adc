// Reddit listings: GET /r/<sub>/new.json?limit=100&after=…&raw_json=1 answers
// {"kind":"Listing","data":{"after","before","children":[{"kind":"t3","data":{"id","name",
//  "subreddit","title","selftext","author","created_utc"(epoch s, float),"score","num_comments",
//  "permalink"}}]}}; `after` is null at the end.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <simdjson.h>

#include "core/market.hpp"
#include "sources/social/tweet_parser.hpp"

namespace cryptolake::sources::social {

// Posts (platform "reddit", text = title + "\n\n" + selftext); bad children to `rejected`.
[[nodiscard]] core::Status parse_reddit_listing(simdjson::dom::element payload, core::Timestamp received_at,
                                                std::vector<core::Post>& out, std::vector<RejectedPost>& rejected);

// The listing's `after` cursor, or nothing at the end.
std::optional<std::string> reddit_after(simdjson::dom::element payload);

}  // namespace cryptolake::sources::social
