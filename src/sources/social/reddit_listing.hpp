// Reddit /r/<sub>/new listings, paged with `after` until the end or the page limit.
#pragma once

#include <stop_token>
#include <string>
#include <vector>

#include "sources/service_session.hpp"

namespace cryptolake::sources::social {

// Reddit's endpoint: with an OAuth bearer token oauth.reddit.com and 100 requests a minute;
// without, www.reddit.com and 10. Reddit asks for a descriptive User-Agent.
ServiceEndpoint reddit_endpoint(std::string base_url, std::string_view oauth_token, std::string user_agent);

[[nodiscard]] core::Result<size_t> fetch_new_posts(ServiceSession& session, const std::vector<std::string>& subreddits, int pages,
                                                   std::stop_token stop = {});

}  // namespace cryptolake::sources::social
