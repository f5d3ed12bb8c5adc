#include "io/rate_governor.hpp"

#include <gtest/gtest.h>

#include "io/manual_clock.hpp"

namespace cryptolake::io {
namespace {

using core::Timestamp;

const Timestamp kStart = *Timestamp::parse_iso("2026-03-01T10:00:00Z");  // a minute boundary
constexpr int64_t kSecond = Timestamp::kMicrosPerSecond;

// A clock that jumps over every wait, so minutes of pauses take no time and can be measured.
struct GovernorTest : ::testing::Test {
  ManualClock clock{kStart, /*auto_advance=*/true};
  InMemoryBudgetLedger ledger;
  RateGovernor governor{ledger, clock, /*backfill_share=*/0.8};
  const ServiceBudget budget{"svc", 100};

  // Acquires weight 10 `n` times; returns how long that took on the clock.
  int64_t spend(int n, Priority priority = Priority::live) {
    const Timestamp before = clock.now();
    for (int i = 0; i < n; ++i) EXPECT_TRUE(governor.acquire(budget, 10, priority, {}));
    return clock.now() - before;
  }
  HttpResponse answer(int status, std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpResponse response;
    response.status = status;
    response.headers = std::move(headers);
    return response;
  }
};

TEST_F(GovernorTest, AMinutesBudgetIsSpentWithoutWaitingAndTheNextRequestWaitsForTheNextMinute) {
  EXPECT_EQ(spend(10), 0);
  EXPECT_EQ(governor.used_this_minute(budget), 100);
  EXPECT_EQ(governor.waits(), 0);
  EXPECT_EQ(spend(1), 60 * kSecond);  // to the start of the next minute, not a minute from now
  EXPECT_EQ(governor.waits(), 1);
  EXPECT_EQ(governor.waited_micros(), 60 * kSecond);
  EXPECT_EQ(governor.used_this_minute(budget), 10);
}

TEST_F(GovernorTest, BackfillsLeaveLiveCollectionItsHeadroom) {
  EXPECT_EQ(spend(8, Priority::backfill), 0);     // 80 % of 100
  EXPECT_EQ(spend(2, Priority::live), 0);         // the rest is live's
  EXPECT_EQ(spend(1, Priority::backfill), 60 * kSecond);
}

TEST_F(GovernorTest, A429PausesForRetryAfterThenRunsAtHalfRateForFiveMinutes) {
  governor.observe(budget, answer(429, {{"retry-after", "7"}}));
  EXPECT_EQ(spend(1), 7 * kSecond);
  // Half rate: 50 of 100 this minute (10 already spent after the pause).
  EXPECT_EQ(spend(4), 0);
  EXPECT_GT(spend(1), 0);
  // Five minutes after the pause ended, the full budget is back.
  clock.set(kStart + 7 * kSecond + 5 * Timestamp::kMicrosPerMinute + 60 * kSecond);
  EXPECT_EQ(spend(10), 0);
}

TEST_F(GovernorTest, A418BlocksEveryRequestUntilTheBanEndsWithoutSlowingAfterwards) {
  governor.observe(budget, answer(418, {{"retry-after", "120"}}));
  EXPECT_EQ(spend(1), 120 * kSecond);
  EXPECT_EQ(spend(9), 0);  // the whole budget again
}

TEST_F(GovernorTest, TheServersCountOfUsedWeightIsNeverUndercut) {
  EXPECT_EQ(spend(1), 0);
  // Other clients on this IP spent more: the server says 95 of 100 are gone.
  governor.observe(budget, answer(200, {{"x-mbx-used-weight-1m", "95"}}), "x-mbx-used-weight-1m");
  EXPECT_EQ(governor.used_this_minute(budget), 95);
  EXPECT_EQ(spend(1), 60 * kSecond);
}

TEST_F(GovernorTest, AnExhaustedWindowWaitsForItsResetInsteadOfDrawingA429) {
  const int64_t reset_at = (kStart.micros() + 30 * kSecond) / kSecond;
  governor.observe(budget, answer(200, {{"x-rate-limit-remaining", "0"}, {"x-rate-limit-reset", std::to_string(reset_at)}}));
  EXPECT_EQ(spend(1), 30 * kSecond);
  governor.observe(budget, answer(200, {{"x-ratelimit-remaining", "0.0"}, {"x-ratelimit-reset", "12.4"}}));  // Reddit: seconds from now
  EXPECT_EQ(spend(1), 13 * kSecond);
}

TEST_F(GovernorTest, AStopRequestEndsTheWait) {
  EXPECT_EQ(spend(10), 0);
  std::stop_source stop;
  stop.request_stop();
  EXPECT_FALSE(governor.acquire(budget, 10, Priority::live, stop.get_token()));
}

}  // namespace
}  // namespace cryptolake::io
