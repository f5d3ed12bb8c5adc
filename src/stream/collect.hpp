// Source → bus: what `stream collect` runs. Every message a source receives goes, as an envelope,
// into the topic <prefix>.raw (bus::BusRawSink), durable within a second.
#pragma once

#include <stop_token>
#include <string>

#include "bus/bus.hpp"
#include "sources/binance/ws_capture.hpp"

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

}  // namespace cryptolake::stream
