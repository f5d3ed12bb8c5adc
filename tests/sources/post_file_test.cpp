#include "sources/social/post_file_parser.hpp"

#include <gtest/gtest.h>

#include <set>

#include "support/fixtures.hpp"

namespace cryptolake::sources::social {
namespace {

using core::Timestamp;

const Timestamp kNow = Timestamp::from_seconds(1'763'000'000);

TEST(PostFiles, AdvertoolsV11ExportWithExactIdsAndMultilineFields) {
  auto file = parse_post_file(testing::read_fixture("tweets_bitcoin_2021-11_twitter_v1.1_advertools.csv"), {}, kNow);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->format, "csv (',')");
  EXPECT_EQ(file->records, 2137u);  // counted by hand (and by Python's csv module)
  EXPECT_EQ(file->posts.size(), 2137u);
  EXPECT_TRUE(file->rejected.empty());
  EXPECT_EQ(file->synthesized_ids, 0u);  // tweet_id_str is exact; the float-rounded tweet_id is not used
  std::set<std::string> ids;
  for (const auto& p : file->posts) ids.insert(p.post_id);
  EXPECT_TRUE(ids.contains("1458369669648183296"));
  EXPECT_FALSE(ids.contains("1458369669648183300"));
  EXPECT_EQ(file->posts.front().created_at.iso(), "2021-11-10T09:43:19.000000Z");
  EXPECT_TRUE(std::ranges::any_of(file->posts, [](const core::Post& p) { return p.text.find('\n') != std::string::npos; }));
}

TEST(PostFiles, RettiwtJsonArray) {
  auto file = parse_post_file(testing::read_fixture("tweets_bitcoin_2025-11_rettiwt_normalized.json"), {}, kNow);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->format, "json array");
  EXPECT_EQ(file->posts.size(), 942u);
  EXPECT_EQ(file->posts.front().post_id, "1986506310968332373");
  EXPECT_EQ(file->posts.front().author_id, "jamers2012");
}

TEST(PostFiles, AHeaderThatDoesNotMatchItsRowsIsAClearErrorOrAMapping) {
  const std::string text = testing::read_fixture("tweets_btc_influencers_2021-08_malformed_header.csv");
  auto refused = parse_post_file(text, {}, kNow);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("the header has 9 columns but 42 of 42 rows have 7"), std::string::npos)
      << refused.error().message;
  auto mapped = parse_post_file(text, {{"author", "2"}, {"created_at", "3"}, {"text", "4"}, {"likes", "6"}, {"retweets", "7"}}, kNow);
  ASSERT_TRUE(mapped) << mapped.error().message;
  ASSERT_EQ(mapped->posts.size(), 42u);
  EXPECT_EQ(mapped->posts[0].author_id, "@BobLoukas");
  EXPECT_EQ(mapped->posts[0].like_count, 53);
  EXPECT_EQ(mapped->posts[0].retweet_count, 899);
  EXPECT_EQ(mapped->synthesized_ids, 42u);  // the export has no ids at all
}

TEST(PostFiles, DialectsFloatIdsAndBadRows) {
  const std::string csv =
      "\xEF\xBB\xBFid;user;date;text;likes\r\n"
      "1.00534E+18;alice;2024-01-01 10:00:00;\"$BTC up; \"\"nice\"\"\r\nsecond line\";3\r\n"
      "1.00534E+18;bob;2024-01-01 10:00:05;\"$ETH down &amp; out\";1\r\n"
      "123;carol;2024-02-30 10:00:00;impossible date;0\r\n"
      "124;dave;2024-01-01 11:00:00;bad \xff bytes;0\r\n"
      "125;erin;Tue Nov 09 04:01:46 +0000 2021;v1.1 time;2\r\n";
  auto file = parse_post_file(csv, {}, kNow);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->format, "csv (';')");
  ASSERT_EQ(file->posts.size(), 3u);
  EXPECT_EQ(file->posts[0].text, "$BTC up; \"nice\"\r\nsecond line");
  EXPECT_EQ(file->posts[1].text, "$ETH down & out");  // entities decoded
  EXPECT_NE(file->posts[0].post_id, file->posts[1].post_id);  // mangled ids rebuilt, still distinct
  EXPECT_EQ(file->synthesized_ids, 2u);
  EXPECT_EQ(file->posts[2].created_at.iso(), "2021-11-09T04:01:46.000000Z");
  ASSERT_EQ(file->rejected.size(), 2u);
  EXPECT_EQ(file->rejected[0].reason, "created_at '2024-02-30 10:00:00' is not a date");
  EXPECT_EQ(file->rejected[1].reason, "text is not valid UTF-8");
}

TEST(PostFiles, XV2ResponsesAndNdjson) {
  auto v2 = parse_post_file(R"({"data":[{"id":"10","text":"gm $SOL","author_id":"7","created_at":"2024-01-01T00:00:00.000Z",)"
                            R"("public_metrics":{"like_count":4,"retweet_count":1}}],"meta":{"result_count":1}})", {}, kNow);
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->format, "x v2 response");
  ASSERT_EQ(v2->posts.size(), 1u);
  EXPECT_EQ(v2->posts[0].like_count, 4);
  auto nd = parse_post_file("{\"id_str\":\"1\",\"full_text\":\"a\",\"created_at\":\"Tue Nov 09 04:01:46 +0000 2021\",\"user\":{\"screen_name\":\"x\"}}\n"
                            "not json\n", {}, kNow);
  ASSERT_TRUE(nd);
  EXPECT_EQ(nd->format, "ndjson");
  ASSERT_EQ(nd->posts.size(), 1u);
  EXPECT_EQ(nd->posts[0].author_id, "x");
  ASSERT_EQ(nd->rejected.size(), 1u);
  EXPECT_EQ(nd->rejected[0].reason, "not a JSON object");
}

}  // namespace
}  // namespace cryptolake::sources::social
