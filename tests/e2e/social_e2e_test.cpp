// `cryptolake ingest x|reddit` against a loopback server answering as the X API v2 and Reddit
// document it (responses written from their documentation).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "e2e/lake_queries.hpp"
#include "io/real/system_clock.hpp"
#include "support/loopback_server.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::testing {
namespace {

LoopbackReply json(std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  return {200, std::move(body), "application/json", std::move(headers), 0};
}

TEST(IngestSocial, XSearchPaginatesHonoursRateLimitsFallsBackAndResumesWithSinceId) {
  TempDir dir;
  LoopbackServer server;
  // The fake X keeps its own clock, as the real one does: the window resets a second after it answers.
  io::SystemClock x_clock;
  const auto reset_in_one_second = [&] { return std::to_string(x_clock.now().millis() / 1000 + 1); };
  server.route("/2/tweets/search/recent", [&](const LoopbackRequest& r) {
    EXPECT_EQ(r.headers.at("authorization"), "Bearer test-token");
    if (r.params.at("query").find('$') != std::string::npos) {
      return LoopbackReply{400, R"({"errors":[{"message":"Reference to invalid operator 'cashtag'. Operator is not available in current product or product packaging."}],"title":"Invalid Request"})",
                           "application/json", {}, 0};
    }
    if (r.params.contains("since_id")) return json(R"({"meta":{"result_count":0}})");
    if (!r.params.contains("next_token")) {
      return json(R"({"data":[{"id":"1700000000000000002","text":"$BTC looking bullish 🚀 #bitcoin","author_id":"11","created_at":"2024-01-02T10:00:00.000Z","lang":"en","public_metrics":{"like_count":5,"retweet_count":1,"reply_count":0,"quote_count":0},"entities":{"cashtags":[{"tag":"BTC"}]}},)"
                  R"({"id":"1700000000000000001","text":"Bitcoin dump, rekt","author_id":"12","created_at":"2024-01-02T09:59:00.000Z","lang":"en"}],)"
                  R"("meta":{"newest_id":"1700000000000000002","oldest_id":"1700000000000000001","result_count":2,"next_token":"b26v89c19zqg8o3f"}})",
                  {{"x-rate-limit-limit", "450"}, {"x-rate-limit-remaining", "0"}, {"x-rate-limit-reset", reset_in_one_second()}});
    }
    EXPECT_EQ(r.params.at("next_token"), "b26v89c19zqg8o3f");
    return json(R"({"data":[{"id":"1699999999999999999","text":"what is next for ethereum?","author_id":"13","created_at":"2024-01-02T09:58:00.000Z"}],)"
                R"("meta":{"newest_id":"1699999999999999999","oldest_id":"1699999999999999999","result_count":1}})");
  });
  ::setenv("X_BEARER_TOKEN", "test-token", 1);
  const std::string lake = (dir.path() / "lake").string();
  const std::vector<std::string> args = {"ingest", "x", "--lake", lake, "--query", "$BTC OR bitcoin", "--base-url", server.base_url()};
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult first = run_cryptolake(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("searching #BTC OR bitcoin instead"), std::string::npos) << first.err;
  // x-rate-limit-remaining 0 made it wait for the window's reset before page two.
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
  EXPECT_EQ(sql_rows(lake, "SELECT platform, post_id, coins FROM posts ORDER BY post_id"),
            (std::vector<std::vector<std::string>>{{"x", "1699999999999999999", "[ETH]"},
                                                   {"x", "1700000000000000001", "[BTC]"},
                                                   {"x", "1700000000000000002", "[BTC]"}}));
  const ProcessResult second = run_cryptolake(args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto requests = server.requests();
  EXPECT_EQ(requests.back().params.at("since_id"), "1700000000000000002");
  EXPECT_EQ(sql_rows(lake, "SELECT count(*) FROM posts"), (std::vector<std::vector<std::string>>{{"3"}}));
  ::unsetenv("X_BEARER_TOKEN");
  const ProcessResult no_token = run_cryptolake(args);
  EXPECT_EQ(no_token.exit_code, 1);
  EXPECT_NE(no_token.err.find("X_BEARER_TOKEN"), std::string::npos);
}

TEST(IngestSocial, RedditListingsPageWithAfterAndSendAProperUserAgent) {
  TempDir dir;
  LoopbackServer server;
  server.route("/r/CryptoCurrency/new.json", [](const LoopbackRequest& r) {
    EXPECT_EQ(r.headers.at("user-agent"), "linux:cryptolake-test:0.1 (by /u/tester)");
    EXPECT_EQ(r.params.at("raw_json"), "1");
    if (!r.params.contains("after")) {
      return json(R"({"kind":"Listing","data":{"after":"t3_b2","before":null,"children":[)"
                  R"({"kind":"t3","data":{"id":"b1","name":"t3_b1","subreddit":"CryptoCurrency","title":"Solana is pumping","selftext":"very bullish on $SOL","author":"u1","created_utc":1704189600.0,"score":42,"num_comments":7}},)"
                  R"({"kind":"t3","data":{"id":"b2","name":"t3_b2","subreddit":"CryptoCurrency","title":"Lost everything to a rug","selftext":"","author":"u2","created_utc":1704189000.0,"score":3,"num_comments":1}}]}})");
    }
    EXPECT_EQ(r.params.at("after"), "t3_b2");
    return json(R"({"kind":"Listing","data":{"after":null,"before":null,"children":[)"
                R"({"kind":"t3","data":{"id":"b3","title":"no date here"}},)"
                R"({"kind":"t3","data":{"id":"b4","name":"t3_b4","subreddit":"CryptoCurrency","title":"ETH gas today","author":"u3","created_utc":1704188000.5,"score":1,"num_comments":0}}]}})");
  });
  const std::string lake = (dir.path() / "lake").string();
  const ProcessResult run = run_cryptolake({"ingest", "reddit", "--lake", lake, "--subreddits", "CryptoCurrency", "--user-agent",
                                            "linux:cryptolake-test:0.1 (by /u/tester)", "--base-url", server.base_url()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(sql_rows(lake, "SELECT post_id, like_count, coins, sentiment > 0 FROM posts WHERE platform = 'reddit' ORDER BY post_id"),
            (std::vector<std::vector<std::string>>{{"b1", "42", "[SOL]", "true"}, {"b2", "3", "[]", "false"}, {"b4", "1", "[ETH]", "false"}}));
  const auto reasons = quarantine_reasons(lake, "reddit", "reddit_new");  // b3 had no created_utc
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_NE(reasons[0].find("created_utc"), std::string::npos) << reasons[0];
}

// A hostile file's bytes come back cut and escaped, never whole: a 10 MB header line made a 10 MB error.
TEST(ImportPosts, AnErrorQuotingAHugeHeaderLineIsShortAndPrintable) {
  TempDir dir;
  const std::filesystem::path csv = dir.path() / "posts.csv";
  {
    std::ofstream out(csv, std::ios::binary);
    out << "\x1b[2J" << std::string(10'000'000, 'h') << ",other\nvalue,1\n";
  }
  const ProcessResult run = run_cryptolake({"import", "posts", "--lake", (dir.path() / "lake").string(), csv.string()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_LT(run.err.size(), 2000u) << run.err.substr(0, 300);
  EXPECT_NE(run.err.find("\\x1b[2J"), std::string::npos) << run.err.substr(0, 300);
  EXPECT_EQ(run.err.find('\x1b'), std::string::npos);
  EXPECT_NE(run.err.find("hhh…"), std::string::npos) << run.err.substr(0, 300);
}

std::string hex_of(std::string_view bytes) {
  std::string hex;
  for (const unsigned char c : bytes) hex += fmt::format("{:02X}", c);
  return hex;
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

TEST(ImportPosts, ASpreadsheetExportLandsWholeWithItsTextExactAndItsColumnsKept) {
  TempDir dir;
  const std::string lake = (dir.path() / "lake").string();
  const std::string text = "Bitcoin  breaks out!\n\nChart: https://example.com/c?x=1&y=2\r\n\t#BTC $BTC &amp; more";
  write_file(dir.path() / "sheet.csv", "Tweet ID;Username;Text;Date;Retweet;Likes;Sentiment Label\n"
                                       "101;alice;\"" + text + "\";25-11-2021 14:30;7;12;bullish\n"
                                       "102;bob;ETH looks weak;03-11-2021 09:05;0;1;bearish\n");
  const ProcessResult run = run_cryptolake({"import", "posts", "--lake", lake, (dir.path() / "sheet.csv").string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("2 records, 2 posts, 0 quarantined, dates read day-first (e.g. '25-11-2021 14:30')"), std::string::npos) << run.err;
  // The text round-trips byte for byte but for the one allowed change, entities decoded.
  std::string decoded = text;
  decoded.replace(decoded.find("&amp;"), 5, "&");
  EXPECT_EQ(sql_rows(lake, "SELECT hex(encode(text)) FROM posts WHERE post_id = '101'"), (std::vector<std::vector<std::string>>{{hex_of(decoded)}}));
  EXPECT_EQ(sql_rows(lake, "SELECT post_id, strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M'), retweet_count, like_count, "
                           "hashtags, cashtags, extra, text_clean FROM posts ORDER BY post_id"),
            (std::vector<std::vector<std::string>>{
                {"101", "2021-11-25 14:30", "7", "12", "[BTC]", "[BTC]", R"("{""Sentiment Label"":""bullish""}")",
                 "Bitcoin breaks out! Chart: <url> #BTC $BTC & more"},
                {"102", "2021-11-03 09:05", "0", "1", "[]", "[]", R"("{""Sentiment Label"":""bearish""}")", "ETH looks weak"}}));
}

TEST(ImportPosts, ExitCodesSayWhetherEverythingSomethingOrNothingLanded) {
  TempDir dir;
  const std::string lake = (dir.path() / "lake").string();
  std::string some = "id,text,created_at\n";
  for (int i = 0; i < 5; ++i) some += fmt::format("{},post {},2021-11-0{} 10:00\n", i + 1, i, i < 3 ? "9" : "9x");
  write_file(dir.path() / "some.csv", some);
  const ProcessResult partly = run_cryptolake({"import", "posts", "--lake", lake, (dir.path() / "some.csv").string()});
  EXPECT_EQ(partly.exit_code, 3) << partly.err;
  EXPECT_NE(partly.err.find("  2 × created_at is not a date, e.g. '2021-11-09x 10:00'; fix: say how the column is written with --date-format"),
            std::string::npos) << partly.err;
  EXPECT_EQ(partly.err.find("0 problem(s)"), std::string::npos) << partly.err;
  EXPECT_EQ(sql_rows(lake, "SELECT count(*) FROM posts"), (std::vector<std::vector<std::string>>{{"3"}}));

  const std::filesystem::path chart = std::filesystem::path(CRYPTOLAKE_FIXTURES_DIR) / "coingecko_market_chart_bitcoin_hourly_2023-10.json";
  const ProcessResult wrong = run_cryptolake({"import", "posts", "--lake", lake, chart.string()});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("it looks like a CoinGecko market_chart response: use `cryptolake import api-response`"), std::string::npos) << wrong.err;

  write_file(dir.path() / "ambiguous.csv", "id,text,created_at\n1,a,03/04/2021\n");
  const ProcessResult ambiguous = run_cryptolake({"import", "posts", "--lake", lake, (dir.path() / "ambiguous.csv").string()});
  EXPECT_EQ(ambiguous.exit_code, 1);
  EXPECT_NE(ambiguous.err.find("--day-first or --month-first"), std::string::npos) << ambiguous.err;
  const ProcessResult told = run_cryptolake({"import", "posts", "--lake", lake, "--month-first", (dir.path() / "ambiguous.csv").string()});
  EXPECT_EQ(told.exit_code, 0) << told.err;
}

}  // namespace
}  // namespace cryptolake::testing
