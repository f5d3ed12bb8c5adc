#include "analytics/kline_gaps.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "lake/partition_writer.hpp"
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

// One day of 1-minute candles of X-USDT, minutes [from, to) of the day, except those in `skip`.
void write_day(testing::SmallLake& lake, const std::string& dt, int from, int to, std::pair<int, int> skip = {0, 0}) {
  static const std::vector<lake::ColumnSpec> schema = {{"source", lake::ColumnType::varchar}, {"symbol", lake::ColumnType::varchar},
                                                       {"interval", lake::ColumnType::varchar}, {"open_time", lake::ColumnType::timestamp_tz}};
  const int64_t day = core::Timestamp::parse_date(dt)->micros();
  std::vector<int64_t> minutes;
  for (int m = from; m < to; ++m) {
    if (m < skip.first || m >= skip.second) minutes.push_back(day + m * core::Timestamp::kMicrosPerMinute);
  }
  auto written = lake::write_partitions(lake.store, *lake.duckdb, "market_ohlcv", schema, {{dt, 0, minutes.size()}},
                                        [&](const lake::PartitionSlice&, lake::ColumnBatch& batch) {
                                          for (const int64_t t : minutes) {
                                            batch.add("sim");
                                            batch.add("X-USDT");
                                            batch.add("1m");
                                            batch.add(t);
                                            batch.end_row();
                                          }
                                        }, 1);
  ASSERT_TRUE(written) << written.error().message;
}

// (start, end, missing) of the ledger's open gaps, against the whole-table query's.
std::vector<std::tuple<std::string, std::string, int64_t>> open_gaps(testing::SmallLake& lake) {
  std::vector<std::tuple<std::string, std::string, int64_t>> ledger, whole;
  const auto kept = read_gap_ledger(lake.store);
  const auto found = find_kline_gaps(lake.store, *lake.duckdb);
  EXPECT_TRUE(kept && found);
  if (!kept || !found) return {};
  for (const KlineGap& g : *kept) {
    if (g.gap_class == "missing" && g.symbol == "X-USDT") ledger.emplace_back(g.start.iso(), g.end.iso(), g.missing);
  }
  for (const KlineGap& g : *found) {
    if (g.symbol == "X-USDT") whole.emplace_back(g.start.iso(), g.end.iso(), g.missing);
  }
  EXPECT_EQ(ledger, whole);
  return ledger;
}

TEST(KlineGaps, GapsAcrossMidnightAndWithinADayFollowTheDaysThatChange) {
  testing::SmallLake lake({"BTC-USDT"}, 1);
  using Gaps = std::vector<std::tuple<std::string, std::string, int64_t>>;
  write_day(lake, "2024-03-01", 0, 1430);                 // the last 10 minutes missing
  write_day(lake, "2024-03-02", 5, 1440, {720, 723});     // the first 5 missing, and 12:00-12:02
  write_day(lake, "2024-03-04", 0, 1440);                 // a whole day missing before it
  ASSERT_TRUE(build_kline_gaps(lake.store, *lake.duckdb, 2));
  EXPECT_EQ(open_gaps(lake), (Gaps{{"2024-03-01T23:50:00.000000Z", "2024-03-02T00:05:00.000000Z", 15},
                                   {"2024-03-02T12:00:00.000000Z", "2024-03-02T12:03:00.000000Z", 3},
                                   {"2024-03-03T00:00:00.000000Z", "2024-03-04T00:00:00.000000Z", 1440}}));
  write_day(lake, "2024-03-02", 0, 1440, {720, 723});     // the morning arrives: only this day changed
  write_day(lake, "2024-03-03", 0, 60);                   // and the first hour of the missing day
  ASSERT_TRUE(build_kline_gaps(lake.store, *lake.duckdb, 2));
  EXPECT_EQ(open_gaps(lake), (Gaps{{"2024-03-01T23:50:00.000000Z", "2024-03-02T00:00:00.000000Z", 10},
                                   {"2024-03-02T12:00:00.000000Z", "2024-03-02T12:03:00.000000Z", 3},
                                   {"2024-03-03T01:00:00.000000Z", "2024-03-04T00:00:00.000000Z", 1380}}));
  // Each day's scan is kept with the version it was read at; a lost cache is read again whole.
  ASSERT_TRUE(lake.store.remove("_catalog/gaps/days.tsv"));
  ASSERT_TRUE(build_kline_gaps(lake.store, *lake.duckdb, 2));
  EXPECT_EQ(open_gaps(lake).size(), 3u);
}

// A first run reads its days a group at a time: gaps within the days at a group's edges and
// between the last day of one group and the first of the next are found as in one read.
TEST(KlineGaps, AFirstRunOverMoreDaysThanOneReadFindsEveryGap) {
  testing::SmallLake lake({"BTC-USDT"}, 1);
  using Gaps = std::vector<std::tuple<std::string, std::string, int64_t>>;
  const int64_t first = core::Timestamp::parse_date("2024-01-01")->micros();
  const auto at = [&](int day, int minute) {
    return core::Timestamp::from_micros(first + day * core::Timestamp::kMicrosPerDay + minute * core::Timestamp::kMicrosPerMinute);
  };
  constexpr int kDays = 70;
  Gaps expected;
  for (int day = 0; day < kDays; ++day) {
    const bool holed = day % 10 == 0 || day % 31 == 30 || day % 31 == 0;  // and the days either side of a read's edge
    write_day(lake, at(day, 0).date(), 0, 10, holed ? std::pair{3, 5} : std::pair{0, 0});
    if (holed) expected.emplace_back(at(day, 3).iso(), at(day, 5).iso(), 2);
    if (day + 1 < kDays) expected.emplace_back(at(day, 10).iso(), at(day + 1, 0).iso(), 1430);
  }
  std::ranges::sort(expected);
  ASSERT_TRUE(build_kline_gaps(lake.store, *lake.duckdb, 2));
  Gaps found = open_gaps(lake);
  std::ranges::sort(found);
  EXPECT_EQ(found, expected);
}

}  // namespace
}  // namespace cryptolake::analytics
