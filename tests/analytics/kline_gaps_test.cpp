#include "analytics/kline_gaps.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/small_lake.hpp"

namespace cryptolake::analytics {
namespace {

// The simulator's manifest says where it left minutes out; the ledger must find exactly those,
// and completeness must say how much of each day is there.
TEST(KlineGaps, FindsTheInjectedGapsAndNothingElse) {
  testing::SmallLake lake({"BTC-USDT", "SOL-USDT"}, 2);
  auto gaps = find_kline_gaps(lake.store, *lake.duckdb);
  ASSERT_TRUE(gaps) << gaps.error().message;
  ASSERT_EQ(gaps->size(), lake.manifest.gaps.size());
  for (const auto& injected : lake.manifest.gaps) {
    const auto found = std::ranges::find_if(*gaps, [&](const KlineGap& g) { return g.symbol == injected.symbol; });
    ASSERT_NE(found, gaps->end()) << injected.symbol;
    EXPECT_EQ(found->start, injected.start);
    EXPECT_EQ(found->end, injected.start + injected.minutes * core::Timestamp::kMicrosPerMinute);
    EXPECT_EQ(found->missing, injected.minutes);
    EXPECT_EQ(found->interval, "1m");
  }

  auto built = build_kline_gaps(lake.store, *lake.duckdb, 2);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->rows_out, lake.manifest.gaps.size());
  EXPECT_EQ(read_gap_ledger(lake.store)->size(), lake.manifest.gaps.size());
  for (const auto& injected : lake.manifest.gaps) {
    const auto day = lake.rows("SELECT expected, present FROM read_parquet('" + lake.table("completeness") + "', hive_partitioning = true) "
                               "WHERE symbol = '" + injected.symbol + "' AND dt = '" + injected.start.date() + "'");
    ASSERT_EQ(day.size(), 1u) << injected.symbol;
    EXPECT_EQ(std::stoll(day[0][0]), 1440);
    EXPECT_EQ(std::stoll(day[0][1]), 1440 - injected.minutes);
  }
}

}  // namespace
}  // namespace cryptolake::analytics
