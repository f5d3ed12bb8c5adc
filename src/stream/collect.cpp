#include "stream/collect.hpp"

#include "bus/bus_raw_sink.hpp"

namespace cryptolake::stream {

core::Result<CollectReport> collect_replay(const sources::binance::Capture& capture, const sources::binance::ReplayOptions& options,
                                           io::Clock& clock, bus::Bus& bus, const std::string& topic_prefix, std::stop_token stop) {
  CollectReport report;
  report.topic = bus::topic_name(topic_prefix, "raw");
  TRY(bus.create_topics({report.topic}));
  TRY_ASSIGN(auto producer, bus.producer());
  bus::BusRawSink sink(*producer, report.topic, clock);
  TRY_ASSIGN(const auto replayed, sources::binance::replay_capture(capture, options, clock, sink, stop));
  TRY(sink.flush());
  report.messages = replayed.messages;
  report.by_dataset = replayed.by_dataset;
  return report;
}

}  // namespace cryptolake::stream
