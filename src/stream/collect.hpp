// Source → bus: what `stream collect` runs (and, with the lander, `stream run`). Every message a
// source receives goes, as an envelope, into the topic <prefix>.raw (bus::BusRawSink), durable
// within a second. Sources: a recorded capture replayed, the live Binance WebSocket streams, the
// simulator on an accelerated clock (the CLI builds each as a StreamSource).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <stop_token>
#include <string>

#include "bus/bus.hpp"
#include "io/clock.hpp"
#include "io/raw_sink.hpp"
#include "stream/land.hpp"
#include "stream/stream_metrics.hpp"

namespace cryptolake::stream {

struct SourceCounts {
  size_t messages = 0;
  std::map<std::string, size_t> by_dataset;
};

// Lands messages into `sink` until the source ends or `stop` is requested.
using StreamSource = std::function<core::Result<SourceCounts>(io::RawSink& sink, std::stop_token stop)>;

struct CollectReport {
  std::string topic;
  SourceCounts counts;
};

// Holds a source that can wait (a replay, the simulator) within `max_ahead` records of a lander
// in the same process: before landing more, the source flushes what it has and waits until
// `landed` has caught up, or the landing is over. A lander that lands nothing for `stalled_after`
// (another member of its group may own the partitions) ends the waiting for the rest of the run.
struct Backpressure {
  size_t max_ahead = 0;
  const std::atomic<size_t>* landed = nullptr;
  const std::atomic<bool>* landing_over = nullptr;
  std::chrono::milliseconds stalled_after{30000};
};

// With `metrics`: messages in per source and dataset, and the last event's time.
[[nodiscard]] core::Result<CollectReport> collect(const StreamSource& source, io::Clock& clock, bus::Bus& bus, const std::string& topic_prefix,
                                                  std::stop_token stop = {}, StreamMetrics* metrics = nullptr,
                                                  const Backpressure* backpressure = nullptr);

struct RunReport {
  CollectReport collected;
  LandReport landed;
};

// collect and land_stream in one process: the lander runs until the source has ended and nothing
// came for land.exit_when_idle_ms (default 1 s here), or until `stop`. land.metrics, when given,
// counts both halves. `max_ahead` > 0: the source never runs more than that many records ahead
// of the lander (for sources that can wait: a backlog in the bus would set every record's
// latency); 0: no bound (a live source cannot wait; the bus absorbs its bursts).
[[nodiscard]] core::Result<RunReport> run_stream(const StreamSource& source, LandOptions land, io::Clock& clock, bus::Bus& bus,
                                                 lake::ObjectStore& store, std::stop_token stop = {}, const LandProgress& progress = {},
                                                 size_t max_ahead = 0);

}  // namespace cryptolake::stream
