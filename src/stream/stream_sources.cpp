#include "stream/stream_sources.hpp"

namespace cryptolake::stream {

StreamSource replay_source(const sources::binance::Capture& capture, sources::binance::ReplayOptions options, io::Clock& clock) {
  return [&capture, options = std::move(options), &clock](io::RawSink& sink, std::stop_token stop) -> core::Result<SourceCounts> {
    TRY_ASSIGN(const auto replayed, sources::binance::replay_capture(capture, options, clock, sink, stop));
    return SourceCounts{replayed.messages, replayed.by_dataset};
  };
}

StreamSource binance_source(io::WebSocketClient& client, sources::binance::LiveOptions options, io::Clock& clock, GapFillerFor gap_filler_for,
                            sources::binance::LiveProgress progress) {
  return [&client, options = std::move(options), &clock, gap_filler_for = std::move(gap_filler_for), progress = std::move(progress)](
             io::RawSink& sink, std::stop_token stop) -> core::Result<SourceCounts> {
    const sources::binance::KlineGapFiller fill = gap_filler_for ? gap_filler_for(sink) : sources::binance::KlineGapFiller{};
    TRY_ASSIGN(const auto live, sources::binance::collect_live(client, options, clock, sink, stop, fill, progress));
    return SourceCounts{live.messages, live.by_dataset};
  };
}

StreamSource simulator_source(sources::simulator::LiveSimulationOptions options, io::Clock& clock) {
  return [options = std::move(options), &clock](io::RawSink& sink, std::stop_token stop) -> core::Result<SourceCounts> {
    TRY_ASSIGN(const auto simulated, sources::simulator::stream_simulation(options, clock, sink, stop));
    return SourceCounts{simulated.messages, simulated.by_dataset};
  };
}

}  // namespace cryptolake::stream
