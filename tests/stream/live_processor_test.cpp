#include "stream/live_processor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <simdjson.h>

#include "bus/local_log.hpp"
#include "io/manual_clock.hpp"
#include "sources/simulator/market_simulator.hpp"
#include "stream/stream_sources.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::stream {
namespace {

constexpr int64_t kMinuteUs = 60'000'000;

std::vector<LiveCandle> simulated(const std::vector<std::string>& symbols, int64_t minutes) {
  std::vector<core::Symbol> parsed;
  for (const auto& s : symbols) parsed.push_back(*core::Symbol::parse(s));
  const auto paths = sources::simulator::simulate_market(parsed, *core::Timestamp::parse_iso("2024-01-01T00:00:00Z"), minutes, 7);
  std::vector<LiveCandle> out;
  for (int64_t m = 0; m < minutes; ++m) {
    for (size_t s = 0; s < symbols.size(); ++s) {
      const auto& c = paths.candles[s][static_cast<size_t>(m)];
      out.push_back({"simulator", symbols[s], c.open_time.micros(), c.close, c.volume, c.trades});
    }
  }
  return out;
}

void expect_near(double actual, double expected, const std::string& what) {
  EXPECT_NEAR(actual, expected, 1e-9 * std::max(1.0, std::abs(expected))) << what;
}

// The snapshot's series against figures computed here from the candles themselves.
void expect_matches(std::string_view json, const std::vector<LiveCandle>& candles, size_t window) {
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(json);
  size_t series_seen = 0;
  for (simdjson::dom::element s : doc["series"].get_array()) {
    ++series_seen;
    const std::string symbol{std::string_view(s["symbol"])};
    std::vector<LiveCandle> mine;
    for (const auto& c : candles) if (c.symbol == symbol) mine.push_back(c);
    ASSERT_FALSE(mine.empty()) << symbol;
    const LiveCandle& last = mine.back();
    EXPECT_EQ(int64_t(s["last_time"]), last.open_time / 1000);
    EXPECT_EQ(double(s["last_close"]), last.close);
    EXPECT_TRUE(bool(s["simulated"]));
    const auto closes = s["closes"].get_array();
    ASSERT_EQ(closes.size(), std::min(window, mine.size()));
    size_t i = mine.size() - closes.size();
    for (simdjson::dom::element pair : closes) {
      EXPECT_EQ(int64_t(pair.at(0)), mine[i].open_time / 1000);
      EXPECT_EQ(double(pair.at(1)), mine[i].close);
      ++i;
    }
    for (simdjson::dom::element w : s["windows"].get_array()) {
      const int64_t minutes = int64_t(w["minutes"]);
      std::vector<LiveCandle> in;
      for (const auto& c : mine) if (c.open_time > last.open_time - minutes * kMinuteUs) in.push_back(c);
      double lo = in[0].close, hi = in[0].close, sum = 0, pv = 0, v = 0;
      int64_t trades = 0;
      for (const auto& c : in) { lo = std::min(lo, c.close); hi = std::max(hi, c.close); sum += c.close; pv += c.close * c.volume; v += c.volume; trades += c.trades; }
      const double mean = sum / double(in.size());
      double ss = 0;
      for (const auto& c : in) ss += (c.close - mean) * (c.close - mean);
      const std::string what = symbol + " " + std::to_string(minutes) + " min";
      EXPECT_EQ(int64_t(w["count"]), int64_t(in.size())) << what;
      expect_near(double(w["min"]), lo, what + " min");
      expect_near(double(w["max"]), hi, what + " max");
      expect_near(double(w["mean"]), mean, what + " mean");
      if (in.size() > 1) expect_near(double(w["std"]), std::sqrt(ss / double(in.size() - 1)), what + " std");
      else EXPECT_TRUE(w["std"].is_null()) << what;
      expect_near(double(w["vwap"]), pv / v, what + " vwap");
      expect_near(double(w["return"]), in.back().close / in.front().close - 1, what + " return");
      EXPECT_EQ(int64_t(w["trades"]), trades) << what;
    }
    const auto projections = s["projections"].get_array();
    if (mine.size() < window) {
      EXPECT_EQ(projections.size(), 0u) << symbol;
      continue;
    }
    ASSERT_EQ(projections.size(), 3u) << symbol;
    for (simdjson::dom::element p : projections) {
      const int64_t h = int64_t(p["horizon_minutes"]);
      EXPECT_EQ(int64_t(p["made_at"]), last.open_time / 1000);
      EXPECT_EQ(int64_t(p["target_time"]), (last.open_time + h * kMinuteUs) / 1000);
      EXPECT_LT(double(p["lower_95"]), double(p["mean"]));
      EXPECT_LT(double(p["mean"]), double(p["upper_95"]));
      EXPECT_LT(std::abs(double(p["mean"]) / last.close - 1), 0.05) << "a minute-scale projection stays near the last close";
    }
  }
  std::set<std::string> symbols;
  for (const auto& c : candles) symbols.insert(c.symbol);
  EXPECT_EQ(series_seen, symbols.size());
}

TEST(LiveProcessor, WindowsClosesAndProjectionsFollowTheCandles) {
  const auto candles = simulated({"BTC-USDT", "ETH-USDT"}, 150);
  LiveProcessor processor(core::ProjectionsConfig{});
  std::vector<LiveCandle> early(candles.begin(), candles.begin() + 40);  // not a full window yet
  ASSERT_TRUE(processor.add_candles(early));
  expect_matches(processor.snapshot_json(), early, 60);
  for (size_t at = 40; at < candles.size(); at += 14) {
    processor.add_candles({candles.begin() + static_cast<ptrdiff_t>(at), candles.begin() + static_cast<ptrdiff_t>(std::min(at + 14, candles.size()))});
  }
  expect_matches(processor.snapshot_json(), candles, 60);
  EXPECT_EQ(processor.candles(), 300u);

  // Candles seen again (a reconnect, a re-read) change nothing.
  const std::string before = processor.snapshot_json();
  EXPECT_FALSE(processor.add_candles({candles.end() - 30, candles.end()}));
  EXPECT_EQ(processor.dropped(), 30u);
  EXPECT_EQ(processor.snapshot_json().substr(0, before.find("\"candles\"")), before.substr(0, before.find("\"candles\"")));
}

TEST(LiveProcessor, SeriesBeyondTheBoundAreDroppedAndCounted) {
  LiveProcessor processor(core::ProjectionsConfig{});
  std::vector<LiveCandle> candles;
  for (size_t i = 0; i <= LiveProcessor::kMaxSeries; ++i) candles.push_back({"simulator", fmt::format("C{}-USDT", i), 0, 1.0, 1.0, 1});
  processor.add_candles(candles);
  EXPECT_EQ(processor.candles(), LiveProcessor::kMaxSeries);
  EXPECT_EQ(processor.dropped(), 1u);
  simdjson::dom::parser parser;
  EXPECT_EQ(parser.parse(processor.snapshot_json())["series"].get_array().size(), LiveProcessor::kMaxSeries);
}

TEST(LiveProcessor, SeededFromTheLakeItShowsTheSeriesBeforeAnyRecord) {
  const auto candles = simulated({"SOL-USDT"}, 70);
  analytics::CandleSeries lake;
  lake.series = {{"simulator", "SOL-USDT", "1m"}, {"simulator", "SOL-USDT", "1h"}};
  for (const auto& c : candles) lake.candles.push_back({0, c.open_time, c.close, c.volume, c.trades, false});
  lake.candles.push_back({1, candles[0].open_time, 1.0, 1.0, 1, false});  // not a 1-minute series: left out
  LiveProcessor processor(core::ProjectionsConfig{});
  processor.seed(lake);
  expect_matches(processor.snapshot_json(), candles, 60);
}

// The simulator through the local log: every closed candle, once; a restart of the group resumes
// after what it committed.
TEST(LiveProcessor, RunsOnTheBusAndResumesFromItsCommittedOffsets) {
  testing::TempDir dir;
  io::ManualClock clock(*core::Timestamp::parse_iso("2024-01-01T00:00:00Z"), true);
  bus::LocalLogBus bus(dir.path() / "_log", bus::LocalLogOptions{.fsync = false}, clock);
  sources::simulator::LiveSimulationOptions sim;
  sim.config.symbols = {"BTC-USDT", "ETH-USDT"};
  sim.config.seed = 7;
  sim.minutes = 90;
  sim.speed = 0;
  ASSERT_TRUE(collect(simulator_source(sim, clock), clock, bus, "cryptolake"));

  const auto run = [&](LiveProcessor& processor, size_t until_candles) {
    std::mutex mutex;
    std::string last;
    std::atomic<bool> done = false;
    LiveOptions options;
    options.publish_every_ms = 0;
    std::jthread worker([&](std::stop_token stop) {
      EXPECT_TRUE(run_live(bus, processor, options, clock, [&](std::string json) {
        std::lock_guard lock(mutex);
        last = std::move(json);
        if (until_candles > 0 && processor.candles() >= until_candles) done = true;
      }, stop));
    });
    // Up to 20 s for the candles; with none expected, a second of polling.
    for (int i = 0; i < (until_candles > 0 ? 400 : 20) && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    worker.request_stop();
    worker.join();
    std::lock_guard lock(mutex);
    return last;
  };
  LiveProcessor first(core::ProjectionsConfig{});
  const std::string snapshot = run(first, 180);
  EXPECT_EQ(first.candles(), 180u);
  EXPECT_EQ(first.unreadable(), 0u);
  expect_matches(snapshot, simulated({"BTC-USDT", "ETH-USDT"}, 90), 60);

  LiveProcessor second(core::ProjectionsConfig{});
  run(second, 0);
  EXPECT_EQ(second.candles() + second.dropped(), 0u) << "the group's committed offsets were at the end";
}

}  // namespace
}  // namespace cryptolake::stream
