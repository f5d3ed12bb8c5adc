#include "analytics/projections.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/market.hpp"
#include "lake/partition_writer.hpp"
#include "support/small_lake.hpp"

namespace cryptolake::analytics {
namespace {

constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kDay = 1440 * kMinute;

std::vector<double> walk(size_t n) {
  std::vector<double> closes;
  double price = 100;
  for (size_t i = 0; i < n; ++i) {
    price *= std::exp(0.001 * std::sin(0.37 * static_cast<double>(i)) + 0.0004 * std::cos(1.3 * static_cast<double>(i * i % 17)));
    closes.push_back(price);
  }
  return closes;
}

// A projection is the GP fitted here, by the test, to the same window's returns with the kernel
// the projector reports, summed over the horizon and mapped back to prices; drift is the window's
// mean log return carried forward.
TEST(SeriesProjector, ProjectsTheWindowsGaussianProcessInPrices) {
  const core::ProjectionsConfig config{.window = 20, .refit_every = 5, .last_days = 0};
  SeriesProjector projector(config, kMinute);
  const std::vector<double> closes = walk(40);
  for (size_t i = 0; i < closes.size(); ++i) {
    auto made = projector.add(static_cast<int64_t>(i) * kMinute, closes[i], true);
    ASSERT_TRUE(made.has_value());
    if (i + 1 < 20) {
      EXPECT_TRUE(made->empty()) << "a window is full only at its 20th candle";
      continue;
    }
    ASSERT_EQ(made->size(), 3u);
    std::vector<double> x, y;
    for (size_t k = i + 2 - 20; k <= i; ++k) {
      x.push_back(static_cast<double>(k) - static_cast<double>(i));
      y.push_back(std::log(closes[k] / closes[k - 1]));
    }
    auto gp = GaussianProcess::fit(x, y, (*made)[0].kernel);
    ASSERT_TRUE(gp.has_value());
    const double drift = std::log(closes[i] / closes[i - 19]) / 19.0;
    for (const Projection& p : *made) {
      std::vector<double> ahead;
      for (int k = 1; k <= p.horizon; ++k) ahead.push_back(k);
      const GpPrediction expected = gp->predict_sum(ahead);
      EXPECT_EQ(p.made_at, static_cast<int64_t>(i) * kMinute);
      EXPECT_EQ(p.target_time, p.made_at + p.horizon * kMinute);
      EXPECT_DOUBLE_EQ(p.last_price, closes[i]);
      EXPECT_NEAR(p.mean, closes[i] * std::exp(expected.mean), 1e-9 * closes[i]);
      EXPECT_NEAR(p.std, expected.std, 1e-12);
      EXPECT_NEAR(p.lower_95, closes[i] * std::exp(expected.mean - 1.959963984540054 * expected.std), 1e-9 * closes[i]);
      EXPECT_NEAR(p.upper_95, closes[i] * std::exp(expected.mean + 1.959963984540054 * expected.std), 1e-9 * closes[i]);
      EXPECT_NEAR(p.drift_mean, closes[i] * std::exp(drift * p.horizon), 1e-9 * closes[i]);
    }
  }
}

// What the incremental stage relies on: a day's projections do not depend on what came before
// its window, so rewriting that day alone gives the same rows.
TEST(SeriesProjector, ADaysProjectionsDependOnlyOnItsCandlesAndTheWindowBefore) {
  const core::ProjectionsConfig config{.window = 30, .refit_every = 7, .last_days = 0};
  const std::vector<double> closes = walk(3 * 1440);
  SeriesProjector whole(config, kMinute), from_tail(config, kMinute);
  std::vector<Projection> a, b;
  for (size_t i = 0; i < closes.size(); ++i) {
    const int64_t t = static_cast<int64_t>(i) * kMinute;
    auto made = whole.add(t, closes[i], true);
    ASSERT_TRUE(made.has_value());
    if (t >= 2 * kDay) a.insert(a.end(), made->begin(), made->end());
    if (t >= 2 * kDay - 29 * kMinute) {
      auto again = from_tail.add(t, closes[i], t >= 2 * kDay);
      ASSERT_TRUE(again.has_value());
      b.insert(b.end(), again->begin(), again->end());
    }
  }
  ASSERT_EQ(a.size(), 1440u * 3);
  ASSERT_EQ(b.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].mean, b[i].mean) << i;
    EXPECT_EQ(a[i].std, b[i].std) << i;
    EXPECT_EQ(a[i].kernel, b[i].kernel) << i;
  }
}

TEST(SeriesProjector, RefusesAPriceThatIsNotPositive) {
  SeriesProjector projector({}, kMinute);
  EXPECT_FALSE(projector.add(0, 0.0, true).has_value());
  EXPECT_FALSE(projector.add(0, std::nan(""), true).has_value());
}

// The candle length projections step by (core's, shared with the gaps ledger); 0: no fixed length.
TEST(Projections, IntervalsHaveTheirLength) {
  EXPECT_EQ(core::interval_micros("1m"), kMinute);
  EXPECT_EQ(core::interval_micros("15m"), 15 * kMinute);
  EXPECT_EQ(core::interval_micros("1h"), 60 * kMinute);
  EXPECT_EQ(core::interval_micros("1d"), kDay);
  EXPECT_EQ(core::interval_micros("1M"), 0);
  EXPECT_EQ(core::interval_micros("m"), 0);
  EXPECT_EQ(core::interval_micros("0m"), 0);
}

// The stage on two simulated days: one projection per horizon for every candle with a full window
// on the last day, one outcome for each whose target candle is there, each outcome's numbers from
// its projection and market_ohlcv's close; a re-run after nothing changed rewrites nothing, and an
// incremental run equals a full one.
TEST(Projections, TheStageProjectsTheLastDaysAndScoresWhatArrived) {
  testing::SmallLake lake({"BTC-USDT", "ETH-USDT"}, 2);
  const core::ProjectionsConfig config{.window = 60, .refit_every = 30, .last_days = 1};
  std::string consumed;
  auto built = build_projections(lake.store, *lake.duckdb, config, 2, std::nullopt, &consumed);
  ASSERT_TRUE(built.has_value()) << built.error().message;

  const auto count = [&](const std::string& sql) { return std::stoll(lake.rows(sql)[0][0]); };
  const std::string ohlcv = lake::sql_string(lake.table("market_ohlcv")), projections = lake::sql_string(lake.table("projections")),
                    outcomes = lake::sql_string(lake.table("projection_outcomes"));
  // Every candle of the last day has 59 before it (the first day's tail), so each is projected.
  const int64_t last_day_candles = count(fmt::format("SELECT count(*) FROM read_parquet({}) WHERE open_time >= (SELECT max(open_time)::DATE FROM read_parquet({}))", ohlcv, ohlcv));
  EXPECT_EQ(count(fmt::format("SELECT count(*) FROM read_parquet({})", projections)), 3 * last_day_candles);
  EXPECT_EQ(count(fmt::format("SELECT count(DISTINCT made_at::DATE) FROM read_parquet({})", projections)), 1);
  // Outcomes: exactly the projections whose target candle exists, with that candle's close.
  EXPECT_EQ(count(fmt::format("SELECT count(*) FROM read_parquet({}) o", outcomes)),
            count(fmt::format("SELECT count(*) FROM read_parquet({}) p JOIN read_parquet({}) c ON c.symbol = p.symbol AND c.open_time = p.target_time",
                              projections, ohlcv)));
  EXPECT_EQ(count(fmt::format(
                "SELECT count(*) FROM read_parquet({}) o JOIN read_parquet({}) c ON c.symbol = o.symbol AND c.open_time = o.target_time "
                "JOIN read_parquet({}) p ON p.symbol = o.symbol AND p.made_at = o.made_at AND p.horizon = o.horizon "
                "WHERE o.actual <> c.close OR o.mean <> p.mean OR abs(o.error - (c.close - p.mean)) > 1e-9 OR abs(o.squared_error - o.error * o.error) > 1e-9 "
                "OR o.inside_95 <> (c.close BETWEEN p.lower_95 AND p.upper_95) OR abs(o.last_value_abs_error - abs(c.close - p.last_price)) > 1e-9 "
                "OR abs(o.drift_abs_error - abs(c.close - p.drift_mean)) > 1e-9",
                outcomes, ohlcv, projections)),
            0);

  std::string again;
  auto unchanged = build_projections(lake.store, *lake.duckdb, config, 2, consumed, &again);
  ASSERT_TRUE(unchanged.has_value());
  EXPECT_EQ(unchanged->partitions, 0u);
  EXPECT_EQ(again, consumed);

  // Every day with last_days = 0; back to the last one: the older day's partitions are removed.
  const auto days = [&] { return count(fmt::format("SELECT count(DISTINCT made_at::DATE) FROM read_parquet({})", projections)); };
  ASSERT_TRUE(build_projections(lake.store, *lake.duckdb, {.window = 60, .refit_every = 30, .last_days = 0}, 2).has_value());
  EXPECT_EQ(days(), 2);
  ASSERT_TRUE(build_projections(lake.store, *lake.duckdb, config, 2).has_value());
  EXPECT_EQ(days(), 1);
  EXPECT_EQ(count(fmt::format("SELECT count(DISTINCT made_at::DATE) FROM read_parquet({})", outcomes)), 1);
}

}  // namespace
}  // namespace cryptolake::analytics
