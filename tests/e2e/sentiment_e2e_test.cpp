// The simulator hides a known lead of post tone over price; the analysis must find it.
#include <gtest/gtest.h>

#include <fstream>

#include <fmt/format.h>

#include "e2e/lake_queries.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::testing {
namespace {

std::vector<std::vector<std::string>> best_lags(const std::string& lead_minutes) {
  TempDir dir;
  const std::string lake = (dir.path() / "lake").string();
  const ProcessResult demo = run_cryptolake({"demo", "--lake", lake, "--days", "10", "--symbols", "3", "--seed", "11",
                                             "--lead-minutes", lead_minutes});
  EXPECT_EQ(demo.exit_code, 0) << demo.err;
  const ProcessResult analyze = run_cryptolake({"analyze", "sentiment", "--lake", lake});
  EXPECT_EQ(analyze.exit_code, 0) << analyze.err;
  EXPECT_NE(analyze.out.find("strongest at lag"), std::string::npos) << analyze.out;
  return sql_rows(lake, "SELECT coin, best_lag_hours, p_value < 0.01 FROM sentiment_price_summary ORDER BY coin");
}

TEST(SentimentAnalysis, FindsTheInjectedLeadOfTwoHours) {
  EXPECT_EQ(best_lags("120"), (std::vector<std::vector<std::string>>{{"BTC", "2", "true"}, {"ETH", "2", "true"}, {"SOL", "2", "true"}}));
}

TEST(SentimentAnalysis, FindsAnInjectedLagOfOneHour) {
  EXPECT_EQ(best_lags("-60"), (std::vector<std::vector<std::string>>{{"BTC", "-1", "true"}, {"ETH", "-1", "true"}, {"SOL", "-1", "true"}}));
}

// Real posts rarely overlap the prices a user has: say what is missing, and mark thin samples.
TEST(SentimentAnalysis, SaysWhichPricesAreMissingAndMarksCorrelationsOnFewHours) {
  TempDir dir;
  const std::string lake = (dir.path() / "lake").string();
  {
    std::ofstream out(dir.path() / "posts.csv");
    out << "id,text,created_at\n";
    // Twelve hours of posts on 2024-02-03, each hour one bullish and one bearish $BTC post.
    for (int h = 0; h < 12; ++h) {
      out << fmt::format("{},$BTC is great and going up,2024-02-03 {:02}:10\n", 2 * h + 1, h);
      out << fmt::format("{},$BTC is terrible and crashing,2024-02-03 {:02}:40\n", 2 * h + 2, h);
    }
  }
  ASSERT_EQ(run_cryptolake({"import", "posts", "--lake", lake, (dir.path() / "posts.csv").string()}).exit_code, 0);
  const ProcessResult alone = run_cryptolake({"analyze", "sentiment", "--lake", lake});
  EXPECT_EQ(alone.exit_code, 1);
  EXPECT_NE(alone.err.find("no market data for BTC between 2024-02-03 00:00 and 2024-02-03 11:00 UTC"), std::string::npos) << alone.err;
  EXPECT_NE(alone.err.find("market_ohlcv holds nothing"), std::string::npos) << alone.err;

  const auto archive = std::filesystem::path(CRYPTOLAKE_FIXTURES_DIR) / "binance_vision_spot_BTCUSDT-1h-2024-02.csv";
  ASSERT_EQ(run_cryptolake({"import", "binance-archive", "--lake", lake, archive.string()}).exit_code, 0);
  const ProcessResult thin = run_cryptolake({"analyze", "sentiment", "--lake", lake});
  EXPECT_EQ(thin.exit_code, 0) << thin.err;
  EXPECT_NE(thin.err.find("warning: BTC: the correlation rests on 12 hour(s), fewer than 48"), std::string::npos) << thin.err;
  EXPECT_EQ(sql_rows(lake, "SELECT coin, hours, low_sample FROM sentiment_price_summary"),
            (std::vector<std::vector<std::string>>{{"BTC", "12", "1"}}));
}

}  // namespace
}  // namespace cryptolake::testing
