#include "sources/social/post_file_import.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "io/codec/zstd.hpp"
#include "support/fixtures.hpp"
#include "support/memory_sinks.hpp"

namespace cryptolake::sources::social {
namespace {

using core::Timestamp;

const Timestamp kNow = *Timestamp::parse_iso("2025-11-20T08:00:00Z");

TEST(PostFileImport, TheFileLandsAsItCameAndItsPostsAsXV2Tweets) {
  testing::MemoryRawSink raw;
  const std::string csv =
      "id,Text,created_at,username,Retweets,Likes,cashtags,country\n"
      "101,\"$BTC up\nagain https://t.co/x\",2025-11-19 10:00,alice,3,7,\"['btc']\",NL\n"
      "102,ETH flat,2025-11-19 11:30,bob,0,1,,DE\n"
      "103,no date here,yesterday,carol,0,0,,FR\n";
  auto landed = land_post_file(raw, "export.csv", csv, {}, kNow);
  ASSERT_TRUE(landed) << landed.error().message;
  const auto files = raw.files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files.begin()->first, landed->file_key);
  EXPECT_NE(landed->file_key.find("x_import/files/2025-11-20/export.csv.zst"), std::string::npos) << landed->file_key;
  EXPECT_EQ(*io::zstd_decompress(files.begin()->second), csv);  // byte for byte
  EXPECT_EQ(landed->parsed.post_count, 2u);
  EXPECT_TRUE(landed->parsed.posts.empty()) << "handed on as read, not kept";
  ASSERT_EQ(landed->parsed.rejected.size(), 1u);
  EXPECT_EQ(landed->parsed.rejected[0].index, 3u);

  const auto tweets = raw.of("tweets");
  ASSERT_EQ(tweets.size(), 1u);
  EXPECT_EQ(tweets[0].source, "x_import");
  EXPECT_NE(tweets[0].request.find(R"("file":"export.csv")"), std::string::npos) << tweets[0].request;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(tweets[0].payload).get(doc), simdjson::SUCCESS) << tweets[0].payload;
  simdjson::dom::element first;
  ASSERT_EQ(doc.at_pointer("/data/0").get(first), simdjson::SUCCESS);
  std::string_view text, created, cashtag, country;
  int64_t retweets = 0, likes = 0, count = 0;
  ASSERT_EQ(first["text"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "$BTC up\nagain https://t.co/x");  // kept as written
  ASSERT_EQ(first["created_at"].get(created), simdjson::SUCCESS);
  EXPECT_EQ(created, Timestamp::parse_iso("2025-11-19T10:00:00Z")->iso());
  ASSERT_EQ(first.at_pointer("/public_metrics/retweet_count").get(retweets), simdjson::SUCCESS);
  ASSERT_EQ(first.at_pointer("/public_metrics/like_count").get(likes), simdjson::SUCCESS);
  EXPECT_EQ(retweets, 3);
  EXPECT_EQ(likes, 7);
  ASSERT_EQ(first.at_pointer("/entities/cashtags/0/tag").get(cashtag), simdjson::SUCCESS);
  EXPECT_EQ(cashtag, "btc");
  ASSERT_EQ(first.at_pointer("/extra/country").get(country), simdjson::SUCCESS);
  EXPECT_EQ(country, "NL");
  ASSERT_EQ(doc.at_pointer("/meta/result_count").get(count), simdjson::SUCCESS);
  EXPECT_EQ(count, 2);
}

TEST(PostFileImport, PostsTravelTenThousandToAnEnvelope) {
  testing::MemoryRawSink raw;
  std::string csv = "id,text,created_at\n";
  for (int i = 1; i <= 10'001; ++i) csv += fmt::format("{},post {},2025-11-19T10:00:00Z\n", i, i);
  auto landed = land_post_file(raw, "many.csv", csv, {}, kNow);
  ASSERT_TRUE(landed) << landed.error().message;
  const auto tweets = raw.of("tweets");
  ASSERT_EQ(tweets.size(), 2u);
  EXPECT_EQ(testing::json_array_size(tweets[0].payload, "/data"), 10'000);
  EXPECT_EQ(testing::json_array_size(tweets[1].payload, "/data"), 1);
  EXPECT_NE(tweets[1].request.find(R"("first":10000)"), std::string::npos) << tweets[1].request;
}

TEST(PostFileImport, APiecesPostsLandFromItsThreadEachOnceAndInTheirPlace) {
  testing::MemoryRawSink raw;
  std::string csv = "id,text,created_at\n";
  for (int i = 1; i <= 30'000; ++i) csv += fmt::format("{},post {} {},2025-11-19T10:00:00Z\n", i, i, std::string(80, 'x'));
  ASSERT_GT(csv.size(), 2u << 20) << "several pieces, read on two threads";
  auto landed = land_post_file(raw, "big.csv", csv, {}, kNow);
  ASSERT_TRUE(landed) << landed.error().message;
  EXPECT_EQ(landed->parsed.post_count, 30'000u);
  ASSERT_EQ(raw.files().size(), 1u);
  std::map<int64_t, std::vector<std::string>> ids_by_first;  // each envelope's posts by the place its request gives
  for (const core::Envelope& envelope : raw.of("tweets")) {
    simdjson::dom::parser parser;
    simdjson::dom::element request, doc;
    ASSERT_EQ(parser.parse(envelope.request).get(request), simdjson::SUCCESS);
    int64_t first = -1;
    ASSERT_EQ(request["first"].get(first), simdjson::SUCCESS) << envelope.request;
    simdjson::dom::parser payload_parser;
    ASSERT_EQ(payload_parser.parse(envelope.payload).get(doc), simdjson::SUCCESS);
    simdjson::dom::array data;
    ASSERT_EQ(doc["data"].get(data), simdjson::SUCCESS);
    EXPECT_LE(data.size(), 10'000u);
    for (simdjson::dom::element tweet : data) ids_by_first[first].emplace_back(std::string_view(tweet["id"]));
  }
  EXPECT_GT(ids_by_first.size(), 2u);
  std::vector<std::string> ids;
  for (const auto& [first, batch] : ids_by_first) {
    ASSERT_EQ(first, static_cast<int64_t>(ids.size())) << "an envelope's first is the count of posts before it";
    ids.insert(ids.end(), batch.begin(), batch.end());
  }
  ASSERT_EQ(ids.size(), 30'000u);
  for (size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(ids[i], std::to_string(i + 1)) << i;
}

TEST(PostFileImport, AFileThatIsNotPostsLandsNothing) {
  testing::MemoryRawSink raw;
  auto refused = land_post_file(raw, "chart.json", testing::read_fixture("coingecko_market_chart_bitcoin_hourly_2023-10.json"), {}, kNow);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("market_chart"), std::string::npos) << refused.error().message;
  EXPECT_TRUE(raw.envelopes().empty());
  EXPECT_TRUE(raw.files().empty());
}

}  // namespace
}  // namespace cryptolake::sources::social
