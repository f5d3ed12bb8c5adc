// Source → bus: what `stream collect` runs (and, with the lander, `stream run`). Every message a source receives goes, as an envelope,
// into the topic <prefix>.raw (bus::BusRawSink), durable within a second.
#pragma once

#include <stop_token>
#include <string>

#include "bus/bus.hpp"
#include "sources/binance/ws_capture.hpp"
#include "stream/land.hpp"

namespace cryptolake::stream {

struct CollectReport {
  std::string topic;
  size_t messages = 0;
  std::map<std::string, size_t> by_dataset;
};

// Replays a recorded capture into the bus at its pace (divided by options.speed; 0: at once).
[[nodiscard]] core::Result<CollectReport> collect_replay(const sources::binance::Capture& capture,
                                                         const sources::binance::ReplayOptions& options, io::Clock& clock,
                                                         bus::Bus& bus, const std::string& topic_prefix, std::stop_token stop = {});

struct RunReport {
  CollectReport collected;
  LandReport landed;
};

// collect_replay and land_stream in one process: the lander runs until the replay has ended and
// nothing came for options.exit_when_idle_ms (default 1 s here).
[[nodiscard]] core::Result<RunReport> run_replay(const sources::binance::Capture& capture, const sources::binance::ReplayOptions& replay,
                                                 LandOptions land, io::Clock& clock, bus::Bus& bus, lake::ObjectStore& store,
                                                 std::stop_token stop = {}, const LandProgress& progress = {});

}  // namespace cryptolake::stream
