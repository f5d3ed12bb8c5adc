// The simulator hides a known lead of post tone over price; the analysis must find it.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace cryptolake::testing
