#include "analytics/rolling_windows.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace cryptolake::analytics {
namespace {

// Every statistic after every event equals a brute-force pass over the events of (t − W, t],
// on irregular event times and prices that drift far from where they started.
TEST(RollingWindow, EveryStatisticEqualsABruteForcePassOverTheWindow) {
  for (const int64_t length : {int64_t{60'000'000}, int64_t{300'000'000}, int64_t{3'600'000'000}}) {
    RollingWindow window(length);
    std::vector<WindowEvent> events;
    std::mt19937_64 random(7);
    std::uniform_int_distribution<int64_t> gap(0, 20'000'000);
    std::normal_distribution<double> step(0.0, 0.002);
    double price = 42'000;
    int64_t t = 0;
    for (int i = 0; i < 20'000; ++i) {
      t += gap(random);
      price *= std::exp(step(random) + 1e-4);  // drifts to ~7× the start
      const WindowEvent e{t, price, (i % 7 == 0) ? 0.0 : 0.5 + (i % 13), 1 + i % 3};
      events.push_back(e);
      window.add(e);
      if (i % 97 != 0) continue;
      double n = 0, sum = 0, min = HUGE_VAL, max = -HUGE_VAL, pq = 0, q = 0;
      int64_t trades = 0;
      std::vector<double> in;
      for (const WindowEvent& w : events) {
        if (w.time <= t - length) continue;
        in.push_back(w.price);
        ++n;
        sum += w.price;
        min = std::min(min, w.price);
        max = std::max(max, w.price);
        pq += w.price * w.quantity;
        q += w.quantity;
        trades += w.trades;
      }
      const double mean = sum / n;
      double ss = 0;
      for (double p : in) ss += (p - mean) * (p - mean);
      const WindowStats s = window.stats();
      ASSERT_EQ(s.count, static_cast<int64_t>(n)) << i;
      EXPECT_DOUBLE_EQ(s.min, min);
      EXPECT_DOUBLE_EQ(s.max, max);
      EXPECT_NEAR(s.mean, mean, 1e-9 * mean);
      if (n >= 2) {
        ASSERT_TRUE(s.std.has_value());
        EXPECT_NEAR(*s.std, std::sqrt(ss / (n - 1)), 1e-6 * std::sqrt(ss / (n - 1)) + 1e-9) << i;
      } else {
        EXPECT_FALSE(s.std.has_value());
      }
      ASSERT_EQ(s.vwap.has_value(), q > 0);
      if (q > 0) {
        EXPECT_NEAR(*s.vwap, pq / q, 1e-9 * pq / q);
      }
      EXPECT_NEAR(s.ret, in.back() / in.front() - 1, 1e-12);
      EXPECT_EQ(s.trades, trades);
    }
  }
}

TEST(RollingWindow, AnEmptyWindowSaysSo) {
  RollingWindow window(60'000'000);
  EXPECT_EQ(window.stats().count, 0);
  window.add({0, 10.0, 1.0, 1});
  window.add({120'000'000, 11.0, 1.0, 1});  // the first has left
  const WindowStats s = window.stats();
  EXPECT_EQ(s.count, 1);
  EXPECT_EQ(s.min, 11.0);
  EXPECT_FALSE(s.std.has_value());
  EXPECT_EQ(s.ret, 0.0);
}

}  // namespace
}  // namespace cryptolake::analytics
