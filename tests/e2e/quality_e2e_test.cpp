// The quality gate as a user meets it: `quality` exits 1 when an error-level check fails, `etl`
// holds a failing partition instead of publishing it, and `etl --force` publishes it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "e2e/lake_queries.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::testing {
namespace {

namespace fs = std::filesystem;

TEST(QualityGate, FailingErrorChecksExitOneHoldPartitionsAndForcePublishesThem) {
  TempDir dir;
  const fs::path lake = dir.path() / "lake";
  const ProcessResult demo = run_cryptolake({"demo", "--lake", lake.string(), "--days", "2", "--symbols", "2"});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  const auto candles = sql_rows(lake, "SELECT count(*) FROM market_ohlcv");

  const ProcessResult clean = run_cryptolake({"quality", "--lake", lake.string()});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;  // only warnings fail on a clean lake

  // An error-level check no candle passes: every close is above 1.
  const fs::path config = dir.path() / "strict.toml";
  std::ofstream(config) << "[[quality.checks]]\ntable = \"market_ohlcv\"\ncheck = \"accepted_range\"\ncolumn = \"close\"\nmax = 1\n"
                           "severity = \"error\"\n";
  const ProcessResult strict = run_cryptolake({"quality", "--lake", lake.string(), "--config", config.string()});
  EXPECT_EQ(strict.exit_code, 1) << strict.out << strict.err;
  EXPECT_NE(strict.out.find("market_ohlcv.accepted_range(close)"), std::string::npos) << strict.out;

  // A new check changes what etl must do: market_ohlcv runs again and both days are held.
  const ProcessResult held = run_cryptolake({"etl", "--lake", lake.string(), "--config", config.string()});
  EXPECT_EQ(held.exit_code, 0) << held.err;
  EXPECT_NE(held.err.find("held: market_ohlcv dt=2024-01-01"), std::string::npos) << held.err;
  EXPECT_NE(held.err.find("held: market_ohlcv dt=2024-01-02"), std::string::npos) << held.err;
  EXPECT_TRUE(fs::exists(lake / "curated/market_ohlcv/_held/dt=2024-01-01"));
  EXPECT_EQ(sql_rows(lake, "SELECT count(*) FROM market_ohlcv"), candles);  // the published partitions stay as they were

  const ProcessResult forced = run_cryptolake({"etl", "--lake", lake.string(), "--config", config.string(), "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(forced.err.find("held:"), std::string::npos) << forced.err;
  EXPECT_EQ(sql_rows(lake, "SELECT count(*) FROM market_ohlcv"), candles);
  EXPECT_EQ(sql_rows(lake, "SELECT count(*) FROM dq_results WHERE status = 'fail' AND \"check\" = 'market_ohlcv.accepted_range(close)'"),
            (std::vector<std::vector<std::string>>{{"6"}}));  // two days failed in each of the three runs that checked them
}

}  // namespace
}  // namespace cryptolake::testing
