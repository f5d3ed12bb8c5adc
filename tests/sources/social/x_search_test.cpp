#include "sources/social/x_search.hpp"

#include <gtest/gtest.h>

#include "support/connector_harness.hpp"

namespace cryptolake::sources::social {
namespace {

using testing::ConnectorHarness;
using testing::LoopbackReply;
using testing::LoopbackRequest;

std::string page(int count, std::string_view newest, std::string_view next_token) {
  std::string meta = fmt::format(R"("result_count":{},"newest_id":"{}")", count, newest);
  if (!next_token.empty()) meta += fmt::format(R"(,"next_token":"{}")", next_token);
  return fmt::format(R"({{"data":[],"meta":{{{}}}}})", meta);
}

TEST(XSearch, PagesWithNextTokenThenTheNextRunAsksOnlyForNewerPosts) {
  ConnectorHarness h;
  h.server.route("/2/tweets/search/recent", [](const LoopbackRequest& r) {
    if (r.params.contains("since_id")) return LoopbackReply{200, page(1, "31", ""), "application/json", {}, 0};
    if (r.params.contains("next_token")) return LoopbackReply{200, page(40, "19", ""), "application/json", {}, 0};
    return LoopbackReply{200, page(100, "30", "page2"), "application/json", {}, 0};
  });
  auto session = h.session(x_endpoint(h.server.base_url(), "token-1"));
  auto first = search_recent(session, h.checkpoints, {"bitcoin lang:en", "", 10});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->posts, 140u);
  EXPECT_FALSE(first->newer_than_last_run);
  EXPECT_EQ(h.checkpoints.load(since_id_checkpoint("bitcoin lang:en")), "30");  // the newest of the first page
  auto requests = h.server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].params.at("query"), "bitcoin lang:en");
  EXPECT_EQ(requests[0].headers.at("authorization"), "Bearer token-1");
  EXPECT_EQ(requests[1].params.at("next_token"), "page2");

  auto second = search_recent(session, h.checkpoints, {"bitcoin lang:en", "", 10});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->newer_than_last_run);
  EXPECT_EQ(second->posts, 1u);
  requests = h.server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].params.at("since_id"), "30");
  EXPECT_EQ(h.checkpoints.load(since_id_checkpoint("bitcoin lang:en")), "31");
  EXPECT_EQ(h.raw.of("tweets").size(), 3u);
}

TEST(XSearch, ARefusedCashtagQueryIsAskedAgainWithHashtagsOrTheFallback) {
  ConnectorHarness h;
  h.server.route("/2/tweets/search/recent", [](const LoopbackRequest& r) {
    if (r.params.at("query").find('$') != std::string::npos) {
      return LoopbackReply{400, R"({"title":"Invalid Request","detail":"cashtag operator not available"})", "application/json", {}, 0};
    }
    return LoopbackReply{200, page(2, "7", ""), "application/json", {}, 0};
  });
  auto session = h.session(x_endpoint(h.server.base_url(), "t"));
  auto hashtags = search_recent(session, h.checkpoints, {"$BTC OR $ETH", "", 3});
  ASSERT_TRUE(hashtags) << hashtags.error().message;
  EXPECT_EQ(hashtags->query_used, "#BTC OR #ETH");
  EXPECT_NE(hashtags->refused_cashtags.find("HTTP 400"), std::string::npos) << hashtags->refused_cashtags;
  EXPECT_EQ(hashtags->posts, 2u);
  EXPECT_EQ(h.server.requests().back().params.at("query"), "#BTC OR #ETH");

  auto fallback = search_recent(session, h.checkpoints, {"$SOL", "(#SOL OR solana) lang:en", 3});
  ASSERT_TRUE(fallback) << fallback.error().message;
  EXPECT_EQ(h.server.requests().back().params.at("query"), "(#SOL OR solana) lang:en");
}

TEST(XSearch, OtherRefusalsStopWithTheReasonAndSaveNoCheckpoint) {
  ConnectorHarness h;
  h.server.route("/2/tweets/search/recent", testing::answer(403, R"({"title":"Forbidden"})"));
  auto session = h.session(x_endpoint(h.server.base_url(), "t"));
  auto refused = search_recent(session, h.checkpoints, {"bitcoin", "", 3});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("HTTP 403"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(h.checkpoints.load(since_id_checkpoint("bitcoin")));
}

TEST(XSearch, CashtagsBecomeHashtagsAndNothingElseChanges) {
  EXPECT_EQ(cashtags_as_hashtags("$BTC OR bitcoin -is:retweet"), "#BTC OR bitcoin -is:retweet");
  EXPECT_EQ(cashtags_as_hashtags("no tags"), "no tags");
  EXPECT_NE(since_id_checkpoint("a"), since_id_checkpoint("b"));
  EXPECT_TRUE(since_id_checkpoint("a").starts_with("x/"));
}

}  // namespace
}  // namespace cryptolake::sources::social
