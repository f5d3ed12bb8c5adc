#include "io/manual_clock.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "io/real/system_clock.hpp"

namespace cryptolake::io {
namespace {

using core::Timestamp;

TEST(ManualClock, SleepersWakeWhenAnotherThreadAdvancesPastTheDeadline) {
  ManualClock clock(Timestamp::from_seconds(100));
  std::atomic<bool> woke{false};
  std::jthread sleeper([&](std::stop_token stop) {
    EXPECT_TRUE(clock.sleep_until(Timestamp::from_seconds(160), stop));
    woke = true;
  });
  // Only once the sleeper really sleeps does an advance short of its deadline test anything.
  while (clock.sleepers() == 0) std::this_thread::yield();
  clock.advance(30 * Timestamp::kMicrosPerSecond);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // time to wake, were it wrongly woken
  EXPECT_FALSE(woke);
  EXPECT_EQ(clock.sleepers(), 1u);
  clock.advance(30 * Timestamp::kMicrosPerSecond);
  sleeper.join();
  EXPECT_TRUE(woke);
  EXPECT_EQ(clock.now(), Timestamp::from_seconds(160));
}

TEST(ManualClock, StopRequestEndsTheSleepWithFalse) {
  ManualClock clock(Timestamp::from_seconds(0));
  std::atomic<int> result{-1};
  std::jthread sleeper([&](std::stop_token stop) { result = clock.sleep_until(Timestamp::from_seconds(10), stop); });
  sleeper.request_stop();
  sleeper.join();
  EXPECT_EQ(result, 0);
}

TEST(SystemClock, IsNearTheOperatingSystemTimeAndSleepsUntilTheDeadline) {
  SystemClock clock;
  const Timestamp before = clock.now();
  EXPECT_GT(before, *Timestamp::parse_iso("2024-01-01"));
  std::stop_source never;
  EXPECT_TRUE(clock.sleep_until(before + 20'000, never.get_token()));
  EXPECT_GE(clock.now() - before, 20'000);
}

}  // namespace
}  // namespace cryptolake::io
