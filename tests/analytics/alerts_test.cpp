#include "analytics/alerts.hpp"

#include <gtest/gtest.h>

#include "analytics/projections.hpp"
#include "lake/layout.hpp"
#include "support/small_lake.hpp"

namespace cryptolake::analytics {
namespace {

// Each rule's alerts are exactly the candles where its condition starts, computed here in SQL
// over market_ohlcv (and projection_outcomes for band_broken); a rule for one symbol stays on it.
TEST(Alerts, EachRuleFiresWhereItsConditionStarts) {
  testing::SmallLake lake({"BTC-USDT", "ETH-USDT"}, 2);
  const core::ProjectionsConfig projections{.window = 60, .refit_every = 30, .last_days = 0};
  ASSERT_TRUE(build_projections(lake.store, *lake.duckdb, projections, 2).has_value());
  const std::vector<core::AlertRuleConfig> rules = {
      {.name = "move", .kind = "price_move", .symbol = "", .percent = 0.4, .minutes = 15, .zscore = 0, .horizon = 1},
      {.name = "volume", .kind = "volume_zscore", .symbol = "", .percent = 0, .minutes = 60, .zscore = 3.0, .horizon = 1},
      {.name = "band", .kind = "band_broken", .symbol = "ETH-USDT", .percent = 0, .minutes = 0, .zscore = 0, .horizon = 1},
  };
  auto built = build_alerts(lake.store, *lake.duckdb, rules, 0, 2);
  ASSERT_TRUE(built.has_value()) << built.error().message;
  const std::string ohlcv = lake::sql_string(lake.table("market_ohlcv")), alerts = lake::sql_string(lake.table("alerts")),
                    outcomes = lake::sql_string(lake.table("projection_outcomes"));
  const auto count = [&](const std::string& sql) { return std::stoll(lake.rows(sql)[0][0]); };

  const std::string moves = fmt::format(
      "WITH c AS (SELECT symbol, open_time, close FROM read_parquet({0})), "
      "m AS (SELECT a.symbol, a.open_time, coalesce(abs(a.close / b.close - 1) * 100 > 0.4, false) AS on_ "
      "      FROM c a LEFT JOIN c b ON b.symbol = a.symbol AND b.open_time = a.open_time - INTERVAL 15 MINUTE), "
      "e AS (SELECT symbol, open_time, on_ AND NOT coalesce(lag(on_) OVER (PARTITION BY symbol ORDER BY open_time), false) AS fires FROM m) "
      "SELECT symbol, open_time FROM e WHERE fires",
      ohlcv);
  const int64_t expected_moves = count(fmt::format("SELECT count(*) FROM ({})", moves));
  EXPECT_GT(expected_moves, 0) << "the rule should fire on two simulated days";
  EXPECT_EQ(count(fmt::format("SELECT count(*) FROM read_parquet({}) WHERE rule = 'move'", alerts)), expected_moves);
  EXPECT_EQ(count(fmt::format("SELECT count(*) FROM read_parquet({}) a JOIN ({}) m ON m.symbol = a.symbol AND m.open_time = a.alert_time WHERE a.rule = 'move'",
                              alerts, moves)),
            expected_moves);

  const std::string volumes = fmt::format(
      "WITH w AS (SELECT symbol, open_time, volume, "
      "  avg(volume) OVER (PARTITION BY symbol ORDER BY open_time ROWS BETWEEN 60 PRECEDING AND 1 PRECEDING) AS mean, "
      "  stddev_samp(volume) OVER (PARTITION BY symbol ORDER BY open_time ROWS BETWEEN 60 PRECEDING AND 1 PRECEDING) AS sd, "
      "  count(*) OVER (PARTITION BY symbol ORDER BY open_time ROWS BETWEEN 60 PRECEDING AND 1 PRECEDING) AS n FROM read_parquet({0})), "
      "m AS (SELECT symbol, open_time, n = 60 AND sd > 0 AND (volume - mean) / sd > 3.0 AS on_ FROM w), "
      "e AS (SELECT symbol, open_time, on_ AND NOT coalesce(lag(on_) OVER (PARTITION BY symbol ORDER BY open_time), false) AS fires FROM m) "
      "SELECT symbol, open_time FROM e WHERE fires",
      ohlcv);
  const int64_t expected_volumes = count(fmt::format("SELECT count(*) FROM ({})", volumes));
  EXPECT_GT(expected_volumes, 0) << "the simulator's volume spikes should fire it";
  EXPECT_EQ(count(fmt::format("SELECT count(*) FROM read_parquet({}) a JOIN ({}) v ON v.symbol = a.symbol AND v.open_time = a.alert_time WHERE a.rule = 'volume'",
                              alerts, volumes)),
            expected_volumes);
  EXPECT_EQ(count(fmt::format("SELECT count(*) FROM read_parquet({}) WHERE rule = 'volume'", alerts)), expected_volumes);

  const int64_t broken = count(fmt::format("SELECT count(*) FROM read_parquet({}) WHERE NOT inside_95 AND horizon = 1 AND symbol = 'ETH-USDT'", outcomes));
  EXPECT_GT(broken, 0);
  EXPECT_EQ(count(fmt::format("SELECT count(*) FROM read_parquet({}) WHERE rule = 'band'", alerts)), broken);
  EXPECT_EQ(count(fmt::format("SELECT count(*) FROM read_parquet({}) WHERE rule = 'band' AND symbol <> 'ETH-USDT'", alerts)), 0);

  // Without rules, a full run leaves no alerts behind.
  auto none = build_alerts(lake.store, *lake.duckdb, {}, 0, 2);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(lake.store.list(lake::layout::table_prefix("alerts"))->empty());
}

TEST(Alerts, TheConfigRefusesARuleWithoutWhatItsKindNeeds) {
  EXPECT_TRUE(core::Config::parse("[[alerts]]\nkind = \"price_move\"\npercent = 2\nminutes = 5\n").has_value());
  EXPECT_FALSE(core::Config::parse("[[alerts]]\nkind = \"price_move\"\npercent = 2\n").has_value());
  EXPECT_FALSE(core::Config::parse("[[alerts]]\nkind = \"band_broken\"\nhorizon = 3\n").has_value());
  EXPECT_FALSE(core::Config::parse("[[alerts]]\nkind = \"nothing\"\n").has_value());
  EXPECT_FALSE(core::Config::parse("[[alerts]]\nkind = \"volume_zscore\"\nzscore = 3\ncolour = 1\n").has_value());
  auto two = core::Config::parse("[[alerts]]\nkind = \"volume_zscore\"\nzscore = 3\n[[alerts]]\nkind = \"band_broken\"\nsymbol = \"BTC-USDT\"\n");
  ASSERT_TRUE(two.has_value()) << two.error().message;
  ASSERT_EQ(two->alerts.size(), 2u);
  EXPECT_EQ(two->alerts[0].name, "volume_zscore-1");
  EXPECT_EQ(two->alerts[0].minutes, 60);
  EXPECT_EQ(two->alerts[1].symbol, "BTC-USDT");
}

}  // namespace
}  // namespace cryptolake::analytics
