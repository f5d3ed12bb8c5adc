#include "analytics/rolling_features.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace cryptolake::analytics {
namespace {

TEST(RollingFeatures, LagChangeAndMovingAveragesByHand) {
  const std::vector<double> closes = {10, 11, 12, 11, 13, 14, 12};
  const auto rows = rolling_features(closes, 3, 3);
  ASSERT_EQ(rows.size(), closes.size());
  EXPECT_FALSE(rows[0].prev_close);
  EXPECT_FALSE(rows[0].pct_change);
  EXPECT_DOUBLE_EQ(rows[0].ma_5, 10);
  EXPECT_DOUBLE_EQ(rows[1].ma_5, 10.5);  // partial window at the start
  EXPECT_DOUBLE_EQ(*rows[1].prev_close, 10);
  EXPECT_DOUBLE_EQ(*rows[1].pct_change, 10.0);
  EXPECT_DOUBLE_EQ(*rows[1].log_return, std::log(1.1));
  EXPECT_DOUBLE_EQ(rows[4].ma_5, (10 + 11 + 12 + 11 + 13) / 5.0);
  EXPECT_DOUBLE_EQ(rows[6].ma_5, (12 + 11 + 13 + 14 + 12) / 5.0);
  EXPECT_DOUBLE_EQ(rows[6].ma_long, (13 + 14 + 12) / 3.0);
  EXPECT_NEAR(*rows[6].pct_change, (12.0 - 14.0) / 14.0 * 100, 1e-12);
}

TEST(RollingFeatures, RollingStdOfLogReturns) {
  const std::vector<double> closes = {100, 101, 99, 102, 102};
  const auto rows = rolling_features(closes, 5, 3);
  EXPECT_FALSE(rows[0].rolling_std);
  EXPECT_FALSE(rows[1].rolling_std);  // one return: no sample std yet
  const double r1 = std::log(101.0 / 100), r2 = std::log(99.0 / 101), r3 = std::log(102.0 / 99), r4 = 0.0;
  const auto sample_std = [](std::vector<double> x) {
    double m = 0;
    for (double v : x) m += v;
    m /= x.size();
    double ss = 0;
    for (double v : x) ss += (v - m) * (v - m);
    return std::sqrt(ss / (x.size() - 1));
  };
  EXPECT_NEAR(*rows[2].rolling_std, sample_std({r1, r2}), 1e-15);
  EXPECT_NEAR(*rows[3].rolling_std, sample_std({r1, r2, r3}), 1e-15);
  EXPECT_NEAR(*rows[4].rolling_std, sample_std({r2, r3, r4}), 1e-15);
}

}  // namespace
}  // namespace cryptolake::analytics

#include "analytics/kline_gaps.hpp"

namespace cryptolake::analytics {
namespace {

KlineGap gap(int64_t start_min, const char* cls) {
  return {"binance", "BTC-USDT", "1m", core::Timestamp::from_seconds(start_min * 60),
          core::Timestamp::from_seconds((start_min + 2) * 60), 2, cls};
}

TEST(GapLedger, FilledWhenGoneUpstreamKeptNewOnesMissing) {
  const std::vector<KlineGap> previous = {gap(10, "missing"), gap(20, "missing_upstream"), gap(30, "missing_upstream")};
  const std::vector<KlineGap> current = {gap(20, "missing"), gap(40, "missing")};
  const auto merged = merge_gaps(previous, current);
  ASSERT_EQ(merged.size(), 4u);
  EXPECT_EQ(merged[0].gap_class, "filled");            // 10: present now
  EXPECT_EQ(merged[1].gap_class, "missing_upstream");  // 20: still missing, confirmed before
  EXPECT_EQ(merged[2].gap_class, "filled");            // 30: the exchange backfilled it
  EXPECT_EQ(merged[3].gap_class, "missing");           // 40: new
  std::vector<KlineGap> ledger = merged;
  mark_refetched(ledger, {gap(40, "missing")});
  EXPECT_EQ(ledger[3].gap_class, "missing_upstream");
  EXPECT_EQ(ledger[0].gap_class, "filled");
}

}  // namespace
}  // namespace cryptolake::analytics
