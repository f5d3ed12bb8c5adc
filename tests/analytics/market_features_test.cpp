#include "analytics/market_features.hpp"
#include "analytics/rolling_features.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "lake/local_object_store.hpp"
#include "lake/partition_writer.hpp"
#include "lake/raw_zone.hpp"
#include "sources/simulator/simulator.hpp"
#include "support/temp_dir.hpp"
#include "transform/market_ohlcv_etl.hpp"

namespace cryptolake::analytics {
namespace {

// market_ohlcv of simulated 1-minute candles, as the etl writes it, and the database over the lake.
::testing::AssertionResult simulated_facts(const testing::TempDir& dir, lake::ObjectStore& store, std::vector<std::string> symbols, int days,
                                           bool gaps, std::unique_ptr<lake::DuckDb>& duckdb) {
  sources::simulator::SimulationOptions simulation;
  simulation.config.symbols = std::move(symbols);
  simulation.config.days = days;
  if (!gaps) simulation.config.gap_minutes = 0;
  simulation.config.malformed_rate = 0;
  simulation.posts = false;
  lake::RawZoneWriter raw(store);
  if (!sources::simulator::run_simulation(simulation, raw)) return ::testing::AssertionFailure() << "simulation failed";
  auto opened = lake::DuckDb::open({dir.path(), 2, "1GB"});
  if (!opened) return ::testing::AssertionFailure() << opened.error().message;
  duckdb = std::move(*opened);
  if (!transform::run_market_ohlcv_etl(store, *duckdb, {2, {}})) return ::testing::AssertionFailure() << "etl failed";
  return ::testing::AssertionSuccess();
}

// Distinct windows (the defaults are both 20, so a swap of the two, or of the log_return and
// rolling_std columns, would go unnoticed there): every row's ma_long is the mean of the last 7
// closes and its rolling_std the sample std of the last 4 log returns, computed here from
// market_ohlcv's closes.
TEST(MarketFeatures, EachColumnComesFromItsOwnWindowOverTheWholeSeries) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path());
  std::unique_ptr<lake::DuckDb> duckdb;
  ASSERT_TRUE(simulated_facts(dir, store, {"BTC-USDT"}, 2, false, duckdb));  // two days, so windows cross midnight
  const core::FeaturesConfig config{.ma_window = 7, .volatility_window = 4};
  auto built = build_market_features(store, *duckdb, config, 2);
  ASSERT_TRUE(built) << built.error().message;

  auto connection = duckdb->connect();
  ASSERT_TRUE(connection);
  auto rows = connection->query(fmt::format(
      "SELECT o.close, f.log_return, f.ma_long, f.rolling_std, f.ma_long_window, f.volatility_window "
      "FROM read_parquet({}) o JOIN read_parquet({}) f USING (symbol, interval, open_time) ORDER BY open_time",
      lake::sql_string(lake::table_glob(store, "market_ohlcv")), lake::sql_string(lake::table_glob(store, "market_features"))));
  ASSERT_TRUE(rows) << rows.error().message;
  const size_t n = rows->row_count();
  ASSERT_EQ(n, 2u * 1440);
  std::vector<double> closes, returns;
  for (size_t i = 0; i < n; ++i) {
    closes.push_back(rows->float64(0, i));
    if (i > 0) returns.push_back(std::log(closes[i] / closes[i - 1]));
    EXPECT_EQ(rows->int64(4, i), 7);
    EXPECT_EQ(rows->int64(5, i), 4);
    if (i > 0) {
      EXPECT_NEAR(rows->float64(1, i), returns.back(), 1e-12) << "row " << i;
    }
    if (i < 10) continue;
    double mean = 0;
    for (size_t k = i - 6; k <= i; ++k) mean += closes[k];
    mean /= 7;
    EXPECT_NEAR(rows->float64(2, i), mean, 1e-9 * mean) << "row " << i;
    const std::vector<double> last(returns.end() - 4, returns.end());
    double m = 0, ss = 0;
    for (double r : last) m += r / 4;
    for (double r : last) ss += (r - m) * (r - m);
    EXPECT_NEAR(rows->float64(3, i), std::sqrt(ss / 3), 1e-12) << "row " << i;
  }
}

// Features are built a group of days at a time (here two, ~8,600 candles), each series carrying
// its last closes from group to group: every row must equal the one computed over its whole
// series at once, exactly, for several series over more days than a group holds.
TEST(MarketFeatures, GroupsOfDaysGiveExactlyWhatTheWholeSeriesGives) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path());
  std::unique_ptr<lake::DuckDb> duckdb;
  ASSERT_TRUE(simulated_facts(dir, store, {"BTC-USDT", "ETH-USDT", "SOL-USDT"}, 5, true, duckdb));
  const core::FeaturesConfig config{.ma_window = 30, .volatility_window = 12};
  auto built = build_market_features(store, *duckdb, config, 2, std::nullopt, nullptr, 5'000);  // groups of 2 days: 3 groups
  ASSERT_TRUE(built) << built.error().message;

  auto connection = duckdb->connect();
  ASSERT_TRUE(connection);
  auto rows = connection->query(fmt::format(
      "SELECT o.symbol, o.close, f.prev_close, f.pct_change, f.log_return, f.ma_5, f.ma_long, f.rolling_std, f.close "
      "FROM read_parquet({}) o LEFT JOIN read_parquet({}) f USING (symbol, interval, open_time) ORDER BY o.symbol, o.open_time",
      lake::sql_string(lake::table_glob(store, "market_ohlcv")), lake::sql_string(lake::table_glob(store, "market_features"))));
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_GT(rows->row_count(), 3u * 4 * 1440);
  EXPECT_EQ(built->rows_out, rows->row_count());
  const auto optional_at = [&](size_t col, size_t row) { return rows->is_null(col, row) ? std::nullopt : std::optional<double>(rows->float64(col, row)); };
  for (size_t begin = 0; begin < rows->row_count();) {
    size_t end = begin;
    std::vector<double> closes;
    while (end < rows->row_count() && rows->text(0, end) == rows->text(0, begin)) closes.push_back(rows->float64(1, end++));
    const std::vector<FeatureRow> whole = rolling_features(closes, config.ma_window, config.volatility_window);
    for (size_t i = begin; i < end; ++i) {
      const FeatureRow& want = whole[i - begin];
      ASSERT_FALSE(rows->is_null(8, i)) << rows->text(0, i) << " row " << i - begin << " has no features";
      ASSERT_EQ(optional_at(2, i), want.prev_close) << rows->text(0, i) << " row " << i - begin;
      ASSERT_EQ(optional_at(3, i), want.pct_change) << rows->text(0, i) << " row " << i - begin;
      ASSERT_EQ(optional_at(4, i), want.log_return) << rows->text(0, i) << " row " << i - begin;
      ASSERT_EQ(rows->float64(5, i), want.ma_5) << rows->text(0, i) << " row " << i - begin;
      ASSERT_EQ(rows->float64(6, i), want.ma_long) << rows->text(0, i) << " row " << i - begin;
      ASSERT_EQ(optional_at(7, i), want.rolling_std) << rows->text(0, i) << " row " << i - begin;
    }
    begin = end;
  }
}

}  // namespace
}  // namespace cryptolake::analytics
