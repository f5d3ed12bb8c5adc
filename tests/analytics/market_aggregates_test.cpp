#include "analytics/market_aggregates.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "analytics/market_features.hpp"
#include "support/small_lake.hpp"

namespace cryptolake::analytics {
namespace {

struct Candle {
  int64_t open_ms;
  double open, high, low, close, volume;
};

// Hourly aggregates recomputed here from the candles, in plain C++: extremes, first and last,
// mean close, volume, count, and the sample std of the 1-minute log returns (each return uses
// the previous candle's close, across the hour boundary too).
TEST(MarketAggregates, HourlyRowsEqualWhatTheCandlesSay) {
  testing::SmallLake lake({"ETH-USDT"}, 1);
  ASSERT_TRUE(build_market_features(lake.store, *lake.duckdb, {}, 2));
  auto built = build_market_aggregates(lake.store, *lake.duckdb, Period::hour, 2);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->rows_out, 24u);

  std::vector<Candle> candles;
  for (const auto& r : lake.rows("SELECT epoch_ms(open_time), open, high, low, close, volume FROM read_parquet('" +
                                 lake.table("market_ohlcv") + "') ORDER BY open_time")) {
    candles.push_back({std::stoll(r[0]), std::stod(r[1]), std::stod(r[2]), std::stod(r[3]), std::stod(r[4]), std::stod(r[5])});
  }
  ASSERT_EQ(candles.size(), 1440u - lake.manifest.gaps.at(0).minutes);
  std::map<int64_t, std::vector<size_t>> by_hour;
  for (size_t i = 0; i < candles.size(); ++i) by_hour[candles[i].open_ms / 3'600'000].push_back(i);

  const auto got = lake.rows("SELECT epoch_ms(hour) // 3600000, min_price, max_price, mean_price, first_price, last_price, volume, "
                             "volatility, candles FROM read_parquet('" + lake.table("agg_market_hourly") + "') ORDER BY hour");
  ASSERT_EQ(got.size(), by_hour.size());
  for (const auto& row : got) {
    const std::vector<size_t>& idx = by_hour.at(std::stoll(row[0]));
    double lo = 1e300, hi = 0, sum_close = 0, volume = 0;
    std::vector<double> returns;
    for (size_t i : idx) {
      lo = std::min(lo, candles[i].low);
      hi = std::max(hi, candles[i].high);
      sum_close += candles[i].close;
      volume += candles[i].volume;
      if (i > 0) returns.push_back(std::log(candles[i].close / candles[i - 1].close));
    }
    double mean = 0, ss = 0;
    for (double r : returns) mean += r / static_cast<double>(returns.size());
    for (double r : returns) ss += (r - mean) * (r - mean);
    const double volatility = std::sqrt(ss / static_cast<double>(returns.size() - 1));
    EXPECT_DOUBLE_EQ(std::stod(row[1]), lo) << row[0];
    EXPECT_DOUBLE_EQ(std::stod(row[2]), hi) << row[0];
    EXPECT_NEAR(std::stod(row[3]), sum_close / static_cast<double>(idx.size()), 1e-9) << row[0];
    EXPECT_DOUBLE_EQ(std::stod(row[4]), candles[idx.front()].open) << row[0];
    EXPECT_DOUBLE_EQ(std::stod(row[5]), candles[idx.back()].close) << row[0];
    EXPECT_NEAR(std::stod(row[6]), volume, 1e-6 * volume) << row[0];
    EXPECT_NEAR(std::stod(row[7]), volatility, 1e-12) << row[0];
    EXPECT_EQ(std::stoll(row[8]), static_cast<int64_t>(idx.size())) << row[0];
  }
}

}  // namespace
}  // namespace cryptolake::analytics
