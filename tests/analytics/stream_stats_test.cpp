#include "analytics/stream_stats.hpp"

#include <gtest/gtest.h>

#include "support/small_lake.hpp"

namespace cryptolake::analytics {
namespace {

// Every row of stream_stats equals DuckDB's window functions over market_ohlcv's candles of the
// same span (a RANGE frame of the window, ending at the minute), computed here; each minute of
// the kept days has its three windows, the days before are removed.
TEST(StreamStats, EachWindowEqualsSqlOverTheCandlesItSpans) {
  testing::SmallLake lake({"BTC-USDT", "ETH-USDT"}, 3);
  auto built = build_stream_stats(lake.store, *lake.duckdb, 2, 2);
  ASSERT_TRUE(built.has_value()) << built.error().message;
  const std::string ohlcv = lake::sql_string(lake.table("market_ohlcv")), stats = lake::sql_string(lake.table("stream_stats"));
  const auto rows = lake.rows(fmt::format(
      "WITH c AS (SELECT symbol, open_time, close, volume, trades FROM read_parquet({0})), "
      "w AS (SELECT symbol, open_time, m.window_minutes, "
      "  (SELECT count(*) FROM c x WHERE x.symbol = c.symbol AND x.open_time > c.open_time - to_minutes(m.window_minutes) AND x.open_time <= c.open_time) AS n, "
      "  (SELECT min(close) FROM c x WHERE x.symbol = c.symbol AND x.open_time > c.open_time - to_minutes(m.window_minutes) AND x.open_time <= c.open_time) AS lo, "
      "  (SELECT max(close) FROM c x WHERE x.symbol = c.symbol AND x.open_time > c.open_time - to_minutes(m.window_minutes) AND x.open_time <= c.open_time) AS hi, "
      "  (SELECT avg(close) FROM c x WHERE x.symbol = c.symbol AND x.open_time > c.open_time - to_minutes(m.window_minutes) AND x.open_time <= c.open_time) AS mean, "
      "  (SELECT stddev_samp(close) FROM c x WHERE x.symbol = c.symbol AND x.open_time > c.open_time - to_minutes(m.window_minutes) AND x.open_time <= c.open_time) AS sd, "
      "  (SELECT sum(close * volume) / nullif(sum(volume), 0) FROM c x WHERE x.symbol = c.symbol AND x.open_time > c.open_time - to_minutes(m.window_minutes) AND x.open_time <= c.open_time) AS vwap, "
      "  (SELECT last(close ORDER BY open_time) / first(close ORDER BY open_time) - 1 FROM c x WHERE x.symbol = c.symbol AND x.open_time > c.open_time - to_minutes(m.window_minutes) AND x.open_time <= c.open_time) AS ret, "
      "  (SELECT sum(trades) FROM c x WHERE x.symbol = c.symbol AND x.open_time > c.open_time - to_minutes(m.window_minutes) AND x.open_time <= c.open_time) AS trades "
      "  FROM c, (VALUES (1), (5), (60)) m(window_minutes) WHERE c.open_time >= (SELECT max(open_time)::DATE - 1 FROM c)) "
      "SELECT (SELECT count(*) FROM w), (SELECT count(*) FROM read_parquet({1})), "
      "  (SELECT count(*) FROM w JOIN read_parquet({1}) s ON s.symbol = w.symbol AND s.minute = w.open_time AND s.window_minutes = w.window_minutes "
      "   WHERE s.count = w.n AND s.min = w.lo AND s.max = w.hi AND abs(s.mean - w.mean) <= 1e-9 * w.mean "
      "   AND coalesce(abs(s.std - w.sd) <= 1e-6 * w.sd + 1e-9, s.std IS NULL AND w.sd IS NULL) "
      "   AND coalesce(abs(s.vwap - w.vwap) <= 1e-9 * w.vwap, s.vwap IS NULL AND w.vwap IS NULL) "
      "   AND abs(s.return - w.ret) <= 1e-12 AND s.trades = w.trades), "
      "  (SELECT count(DISTINCT minute::DATE) FROM read_parquet({1}))",
      ohlcv, stats));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_GT(std::stoll(rows[0][0]), 2 * 2 * 1400 * 3);
  EXPECT_EQ(rows[0][1], rows[0][0]);
  EXPECT_EQ(rows[0][2], rows[0][0]) << "rows equal to the SQL reference";
  EXPECT_EQ(rows[0][3], "2");
}

}  // namespace
}  // namespace cryptolake::analytics
