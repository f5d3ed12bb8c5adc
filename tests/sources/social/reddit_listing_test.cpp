#include "sources/social/reddit_listing.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/connector_harness.hpp"

namespace cryptolake::sources::social {
namespace {

using testing::ConnectorHarness;
using testing::LoopbackReply;
using testing::LoopbackRequest;

std::string listing(int children, std::string_view after) {
  std::string items;
  for (int i = 0; i < children; ++i) items += fmt::format(R"({}{{"kind":"t3","data":{{"id":"p{}"}}}})", i ? "," : "", i);
  return fmt::format(R"({{"kind":"Listing","data":{{"after":{},"children":[{}]}}}})",
                     after.empty() ? "null" : fmt::format("\"{}\"", after), items);
}

TEST(RedditListing, PagesWithAfterUntilTheEndForEachSubreddit) {
  ConnectorHarness h;
  h.server.route("/r/Bitcoin/new.json", [](const LoopbackRequest& r) {
    if (!r.params.contains("after")) return LoopbackReply{200, listing(3, "t3_c"), "application/json", {}, 0};
    return LoopbackReply{200, listing(2, ""), "application/json", {}, 0};
  });
  h.server.route("/r/ethtrader/new.json", [](const LoopbackRequest&) { return LoopbackReply{200, listing(1, "t3_z"), "application/json", {}, 0}; });
  auto session = h.session(reddit_endpoint(h.server.base_url(), "", "linux:test:1.0 (by /u/tester)"));
  auto posts = fetch_new_posts(session, {"Bitcoin", "ethtrader"}, /*pages=*/2);
  ASSERT_TRUE(posts) << posts.error().message;
  EXPECT_EQ(*posts, 3u + 2u + 2 * 1u);  // ethtrader stops at the page limit although `after` goes on
  const auto requests = h.server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[1].params.at("after"), "t3_c");
  EXPECT_EQ(requests[0].params.at("raw_json"), "1");
  EXPECT_EQ(requests[0].headers.at("user-agent"), "linux:test:1.0 (by /u/tester)");
  EXPECT_FALSE(requests[0].headers.contains("authorization"));
  EXPECT_EQ(h.raw.of("reddit_new").size(), 4u);
}

TEST(RedditListing, TheTokenChoosesTheOAuthHostAndItsLargerBudget) {
  const ServiceEndpoint anonymous = reddit_endpoint("", "", "ua");
  EXPECT_EQ(anonymous.base_url, "https://www.reddit.com");
  EXPECT_EQ(anonymous.budget.per_minute, 10);
  const ServiceEndpoint oauth = reddit_endpoint("", "tok", "ua");
  EXPECT_EQ(oauth.base_url, "https://oauth.reddit.com");
  EXPECT_EQ(oauth.budget.per_minute, 100);
  EXPECT_NE(std::ranges::find(oauth.headers, std::pair<std::string, std::string>{"Authorization", "Bearer tok"}), oauth.headers.end());
}

}  // namespace
}  // namespace cryptolake::sources::social
