#include "sources/social/tweet_parser.hpp"

#include <gtest/gtest.h>

namespace cryptolake::sources::social {
namespace {

// Written from the X API v2 documentation of GET /2/tweets/search/recent.
constexpr const char* kResponse = R"({
  "data": [
    {"id": "1460323737035677698", "text": "$BTC looking strong 🚀 #bitcoin &amp; more", "author_id": "2244994945",
     "created_at": "2021-11-15T19:08:05.000Z", "lang": "en",
     "public_metrics": {"retweet_count": 12, "reply_count": 3, "like_count": 40, "quote_count": 1},
     "entities": {"cashtags": [{"start": 0, "end": 4, "tag": "BTC"}], "hashtags": [{"start": 25, "end": 33, "tag": "bitcoin"}]}},
    {"id": "1460323737035677699", "text": "no date here", "author_id": "1"},
    {"id": "1460323737035677700", "text": "bad date", "created_at": "2021-02-30T00:00:00Z"},
    {"id": 1460323737035677701, "text": "numeric id", "created_at": "2021-11-15T19:08:05.000Z"},
    {"id": "1460323737035677702", "text": "minimal", "created_at": "2021-11-15T19:09:00Z"}
  ],
  "includes": {"users": [{"id": "2244994945", "username": "XDevelopers"}]},
  "meta": {"newest_id": "1460323737035677702", "oldest_id": "1460323737035677698", "result_count": 5}
})";

TEST(TweetParser, ParsesV2SearchResponses) {
  const simdjson::padded_string json{std::string(kResponse)};
  simdjson::dom::parser parser;
  std::vector<core::Post> posts;
  std::vector<RejectedPost> rejected;
  const auto received = core::Timestamp::from_seconds(1637003400);
  ASSERT_TRUE(parse_v2_search(parser.parse(json), received, posts, rejected));
  ASSERT_EQ(posts.size(), 2u);
  const core::Post& p = posts[0];
  EXPECT_EQ(p.platform, "x");
  EXPECT_EQ(p.post_id, "1460323737035677698");
  EXPECT_EQ(p.created_at.iso(), "2021-11-15T19:08:05.000000Z");
  EXPECT_EQ(p.text, "$BTC looking strong 🚀 #bitcoin &amp; more");  // decoding entities is cleaning's job
  EXPECT_EQ(p.author_id, "2244994945");
  EXPECT_EQ(p.lang, "en");
  EXPECT_EQ(p.like_count, 40);
  EXPECT_EQ(p.retweet_count, 12);
  EXPECT_EQ(p.reply_count, 3);
  EXPECT_EQ(p.quote_count, 1);
  EXPECT_EQ(p.cashtags, "BTC");
  EXPECT_EQ(p.hashtags, "bitcoin");
  EXPECT_EQ(p.received_at, received);
  EXPECT_EQ(posts[1].like_count, 0);
  ASSERT_EQ(rejected.size(), 3u);
  EXPECT_EQ(rejected[0].reason, "tweet 1460323737035677699 without created_at");
  EXPECT_EQ(rejected[1].reason, "tweet 1460323737035677700: created_at '2021-02-30T00:00:00Z' is not ISO-8601");
  EXPECT_EQ(rejected[2].reason, "tweet without a string id");
}

TEST(TweetParser, EmptyResultHasNoDataField) {
  const simdjson::padded_string json{std::string(R"({"meta":{"result_count":0}})")};
  simdjson::dom::parser parser;
  std::vector<core::Post> posts;
  std::vector<RejectedPost> rejected;
  ASSERT_TRUE(parse_v2_search(parser.parse(json), {}, posts, rejected));
  EXPECT_TRUE(posts.empty());
  EXPECT_TRUE(rejected.empty());
  const simdjson::padded_string error{std::string(R"([1,2])")};
  EXPECT_FALSE(parse_v2_search(parser.parse(error), {}, posts, rejected));
}

}  // namespace
}  // namespace cryptolake::sources::social
