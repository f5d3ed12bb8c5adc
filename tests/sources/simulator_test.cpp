#include "sources/simulator/simulator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "lake/local_object_store.hpp"
#include "lake/raw_zone.hpp"
#include "sources/simulator/market_simulator.hpp"
#include "sources/simulator/post_simulator.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::sources::simulator {
namespace {

using core::Timestamp;

std::vector<core::Symbol> symbols(std::initializer_list<const char*> names) {
  std::vector<core::Symbol> out;
  for (const char* n : names) out.push_back(*core::Symbol::parse(n));
  return out;
}

std::vector<double> log_returns(const std::vector<Candle>& candles) {
  std::vector<double> r;
  for (size_t i = 1; i < candles.size(); ++i) r.push_back(std::log(candles[i].close / candles[i - 1].close));
  return r;
}

double mean(const std::vector<double>& x) { return std::accumulate(x.begin(), x.end(), 0.0) / x.size(); }

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const double ma = mean(a), mb = mean(b);
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

class MarketPathsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    paths_ = new MarketPaths(simulate_market(symbols({"BTC-USDT", "ETH-USDT", "DOGE-USDT"}),
                                             *Timestamp::parse_date("2024-01-01"), 14 * 1440, 42));
  }
  static void TearDownTestSuite() { delete paths_; }
  static MarketPaths* paths_;
};
MarketPaths* MarketPathsTest::paths_ = nullptr;

TEST_F(MarketPathsTest, CandlesAreConsistentAndOnTheTick) {
  for (size_t s = 0; s < paths_->candles.size(); ++s) {
    const double scale = std::pow(10.0, paths_->price_decimals[s]);
    for (const Candle& c : paths_->candles[s]) {
      ASSERT_GE(c.high, std::max(c.open, c.close));
      ASSERT_LE(c.low, std::min(c.open, c.close));
      ASSERT_GT(c.low, 0);
      ASSERT_GT(c.volume, 0);
      ASSERT_NEAR(c.close * scale, std::round(c.close * scale), 1e-6);
    }
  }
}

TEST_F(MarketPathsTest, ReturnsHaveFatTails) {
  const auto r = log_returns(paths_->candles[0]);
  const double m = mean(r);
  double m2 = 0, m4 = 0;
  for (double x : r) {
    m2 += (x - m) * (x - m);
    m4 += std::pow(x - m, 4);
  }
  m2 /= r.size();
  m4 /= r.size();
  EXPECT_GT(m4 / (m2 * m2), 4.0);  // a normal distribution has kurtosis 3
}

TEST_F(MarketPathsTest, VolatilityClusters) {
  const auto r = log_returns(paths_->candles[0]);
  std::vector<double> now, next;
  for (size_t i = 0; i + 1 < r.size(); ++i) {
    now.push_back(std::abs(r[i]));
    next.push_back(std::abs(r[i + 1]));
  }
  EXPECT_GT(correlation(now, next), 0.1);  // |r| is autocorrelated; raw returns are not
  std::vector<double> raw_now(r.begin(), r.end() - 1), raw_next(r.begin() + 1, r.end());
  EXPECT_LT(std::abs(correlation(raw_now, raw_next)), 0.05);
}

TEST_F(MarketPathsTest, AssetsMoveTogether) {
  EXPECT_GT(correlation(log_returns(paths_->candles[0]), log_returns(paths_->candles[1])), 0.6);
  EXPECT_GT(correlation(log_returns(paths_->candles[0]), log_returns(paths_->candles[2])), 0.4);
}

TEST_F(MarketPathsTest, VolumePeaksInTheUsAfternoonAndDipsAtNight) {
  double afternoon = 0, night = 0;
  for (const Candle& c : paths_->candles[0]) {
    const int hour = c.open_time.hour_of_day();
    if (hour >= 14 && hour < 17) afternoon += c.volume;
    if (hour >= 2 && hour < 5) night += c.volume;
  }
  EXPECT_GT(afternoon / night, 1.5);
}

TEST(PostSimulator, ToneLeadsThePriceByTheConfiguredLead) {
  const MarketPaths paths = simulate_market(symbols({"BTC-USDT"}), *Timestamp::parse_date("2024-01-01"), 20 * 1440, 3);
  const auto posts = simulate_posts(paths, 20.0, 120, 3);
  const auto& candles = paths.candles[0];
  std::vector<double> tone, return_2h_later, return_same_hour;
  for (size_t h = 0; h + 2 < posts[0].size(); ++h) {
    if (posts[0][h].empty()) continue;
    double sum = 0;
    for (const auto& p : posts[0][h]) sum += p.tone;
    tone.push_back(sum / posts[0][h].size());
    return_2h_later.push_back(std::log(candles[(h + 2) * 60 + 59].close / candles[(h + 2) * 60].open));
    return_same_hour.push_back(std::log(candles[h * 60 + 59].close / candles[h * 60].open));
  }
  EXPECT_GT(correlation(tone, return_2h_later), 0.8);
  EXPECT_LT(std::abs(correlation(tone, return_same_hour)), 0.15);
}

TEST(Simulator, SameSeedSameBatchesDifferentSeedDifferentData) {
  const auto run = [](uint64_t seed, const std::filesystem::path& dir) {
    lake::LocalObjectStore store(dir);
    lake::RawZoneWriter writer(store);
    SimulationOptions options;
    options.config.days = 2;
    options.config.symbols = {"BTC-USDT", "SOL-USDT"};
    options.config.seed = seed;
    auto report = run_simulation(options, writer);
    EXPECT_TRUE(report);
    std::vector<std::pair<std::string, std::string>> objects;
    const auto keys = *store.list("raw/");
    for (const auto& key : keys) objects.emplace_back(key, *store.get(key));
    return std::make_pair(*report, objects);
  };
  testing::TempDir a, b, c;
  const auto [report_a, objects_a] = run(11, a.path());
  const auto [report_b, objects_b] = run(11, b.path());
  const auto [report_c, objects_c] = run(12, c.path());
  EXPECT_EQ(objects_a, objects_b);
  EXPECT_EQ(report_a.to_json(), report_b.to_json());
  EXPECT_NE(objects_a, objects_c);
  EXPECT_EQ(report_a.klines, 2u * 2880 - 2 * 3);  // every minute but one 3-minute gap per symbol
  EXPECT_EQ(report_a.gaps.size(), 2u);
  EXPECT_GT(report_a.posts, 0u);
  // Each hourly poll of klines and of tweets is one batch (extra polls only carry late re-sends).
  EXPECT_EQ(report_a.batches, objects_a.size());
  EXPECT_GE(report_a.batches, 48u + 48u);
}

}  // namespace
}  // namespace cryptolake::sources::simulator
