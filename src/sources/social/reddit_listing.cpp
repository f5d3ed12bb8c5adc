#include "sources/social/reddit_listing.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "core/json_text.hpp"

namespace cryptolake::sources::social {

ServiceEndpoint reddit_endpoint(std::string base_url, std::string_view oauth_token, std::string user_agent) {
  if (base_url.empty()) base_url = oauth_token.empty() ? "https://www.reddit.com" : "https://oauth.reddit.com";
  ServiceEndpoint endpoint = service_endpoint("reddit", std::move(base_url), oauth_token.empty() ? 10 : 100);
  endpoint.headers.emplace_back("User-Agent", std::move(user_agent));
  if (!oauth_token.empty()) endpoint.headers.emplace_back("Authorization", fmt::format("Bearer {}", oauth_token));
  return endpoint;
}

core::Result<size_t> fetch_new_posts(ServiceSession& session, const std::vector<std::string>& subreddits, int pages,
                                     std::stop_token stop) {
  size_t posts = 0;
  for (const std::string& sub : subreddits) {
    std::string after;
    for (int page = 0; page < pages && !stop.stop_requested(); ++page) {
      std::string path = fmt::format("/r/{}/new.json?limit=100&raw_json=1", io::url_encode(sub));
      if (!after.empty()) path += "&after=" + io::url_encode(after);
      TRY_ASSIGN(const FetchedResponse fetched,
                 session.get(path, 1, io::Priority::live, "reddit_new",
                             fmt::format(R"({{"endpoint":"/r/{{sub}}/new.json","subreddit":{},"after":{}}})", core::json_string(sub),
                                         core::json_string(after)),
                             stop));
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      if (parser.parse(fetched.response.body).get(doc)) break;  // landed; the transform quarantines it
      simdjson::dom::array children;
      if (doc.at_pointer("/data/children").get_array().get(children) == simdjson::SUCCESS) posts += children.size();
      std::string_view next;
      if (doc.at_pointer("/data/after").get_string().get(next) != simdjson::SUCCESS || next.empty()) break;
      after = next;
    }
  }
  return posts;
}

}  // namespace cryptolake::sources::social
