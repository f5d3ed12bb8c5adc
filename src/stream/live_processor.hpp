// The live view of the stream, in memory: consumes the bus (its own consumer group, so the lander
// is not disturbed) and keeps per 1-minute series the last `window` closes, the rolling 1-, 5- and
// 60-minute windows (analytics/rolling_windows, candles as events as in stream_stats) and the
// latest 1/5/10-minute projections (analytics/projections' SeriesProjector). `serve --live` shows
// its snapshot on the Live page. Only closed candles count; a candle not newer than its series'
// last is dropped (duplicates across reconnects, records read again after a restart).
//
// A restart does not blank the page: the series are first seeded from market_ohlcv's newest
// candles, then the bus is read from the group's committed offsets (committed at most once a
// second and at the end, since the state can always be rebuilt).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <simdjson.h>

#include "analytics/candle_series.hpp"
#include "analytics/projections.hpp"
#include "analytics/rolling_windows.hpp"
#include "bus/bus.hpp"
#include "core/config.hpp"
#include "io/clock.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::stream {

struct LiveOptions {
  std::string group = "live";
  std::string topic_prefix = "cryptolake";
  core::ProjectionsConfig projections;
  size_t max_records = 10'000;      // per poll
  int64_t publish_every_ms = 250;   // snapshots at most this often (and after each poll that changed something)
};

struct LiveCandle {
  std::string source, symbol;
  int64_t open_time = 0;  // µs
  double close = 0, volume = 0;
  int64_t trades = 0;
};

class LiveProcessor {
 public:
  static constexpr size_t kMaxSeries = 2'000;  // candles of further series are dropped (counted)

  explicit LiveProcessor(core::ProjectionsConfig projections) : projections_(projections) {}

  // The newest candles of each 1-minute series from the lake (read_changed_candles' tails).
  void seed(const analytics::CandleSeries& lake);
  // A poll's records: their closed 1-minute candles, in order; projects each changed series once,
  // from its newest candle. Records that are not kline events are skipped; ones that cannot be
  // read are counted (the lander quarantines them). Returns whether anything changed.
  bool add_records(const std::vector<bus::Record>& records);
  // Candles in time order per series; projects each changed series once, from its last candle.
  bool add_candles(const std::vector<LiveCandle>& candles);

  // {"series":[{source, symbol, simulated, last_time (ms), last_close, closes [[ms, close]…],
  //   windows [{minutes, count, min, max, mean, std, vwap, return, trades}…],
  //   projections [{horizon_minutes, made_at, target_time, mean, lower_95, upper_95}…]}…],
  //  "candles", "dropped", "unreadable"}: times in epoch ms, series by (source, symbol).
  std::string snapshot_json() const;

  size_t candles() const { return candles_; }
  size_t dropped() const { return dropped_; }  // not newer than their series' last, or past kMaxSeries
  size_t unreadable() const { return unreadable_; }

 private:
  struct Series {
    explicit Series(const core::ProjectionsConfig& config);
    std::deque<std::pair<int64_t, double>> closes;  // (open time µs, close), the last `window`
    std::vector<analytics::RollingWindow> windows;  // 1, 5, 60 minutes
    analytics::SeriesProjector projector;
    std::vector<analytics::Projection> projections;
    bool has_projection_error = false;
  };
  // Adds a candle newer than its series' last; false when it is not.
  bool add(const LiveCandle& candle, bool project);

  core::ProjectionsConfig projections_;
  simdjson::dom::parser parser_;  // kept: a parser per poll would allocate its buffers each time
  std::map<std::pair<std::string, std::string>, Series> series_;
  std::atomic<size_t> candles_ = 0;  // read by other threads (progress, benchmarks)
  size_t dropped_ = 0, unreadable_ = 0;
};

// What seed() takes after a restart: each series' newest day of market_ohlcv and the `window`
// candles before it (nothing in a lake without market_ohlcv).
[[nodiscard]] core::Result<analytics::CandleSeries> read_newest_candles(lake::ObjectStore& store, lake::DuckDb& duckdb, int window);

// Runs `processor` on the bus until `stop`: polls, feeds, commits (at most once a second, and at
// the end), and hands `publish` a snapshot
// after each poll that changed something (at most every publish_every_ms) and once at the start.
[[nodiscard]] core::Status run_live(bus::Bus& bus, LiveProcessor& processor, const LiveOptions& options, io::Clock& clock,
                                    const std::function<void(std::string)>& publish, std::stop_token stop);

}  // namespace cryptolake::stream
