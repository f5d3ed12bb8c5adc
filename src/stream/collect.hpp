// Source → bus: what `stream collect` runs (and, with the lander, `stream run`). Every message a
// source receives goes, as an envelope, into the topic <prefix>.raw (bus::BusRawSink), durable
// within a second. Sources: a recorded capture replayed, the live Binance WebSocket streams, the
// simulator on an accelerated clock (the CLI builds each as a StreamSource).
#pragma once

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

// With `metrics`: messages in per source and dataset, and the last event's time.
[[nodiscard]] core::Result<CollectReport> collect(const StreamSource& source, io::Clock& clock, bus::Bus& bus, const std::string& topic_prefix,
                                                  std::stop_token stop = {}, StreamMetrics* metrics = nullptr);

struct RunReport {
  CollectReport collected;
  LandReport landed;
};

// collect and land_stream in one process: the lander runs until the source has ended and nothing
// came for land.exit_when_idle_ms (default 1 s here), or until `stop`. land.metrics, when given,
// counts both halves.
[[nodiscard]] core::Result<RunReport> run_stream(const StreamSource& source, LandOptions land, io::Clock& clock, bus::Bus& bus,
                                                 lake::ObjectStore& store, std::stop_token stop = {}, const LandProgress& progress = {});

}  // namespace cryptolake::stream
