// The sources `stream collect` and `stream run` take, as StreamSources: a recorded capture
// replayed, the live Binance WebSocket streams, the simulator on an accelerated clock.
#pragma once

#include <functional>

#include "io/websocket_client.hpp"
#include "sources/binance/ws_capture.hpp"
#include "sources/binance/ws_live.hpp"
#include "sources/simulator/live_simulation.hpp"
#include "stream/collect.hpp"

namespace cryptolake::stream {

// `capture` must outlive the source.
StreamSource replay_source(const sources::binance::Capture& capture, sources::binance::ReplayOptions options, io::Clock& clock);

// Makes the gap filler for the sink the live messages go to (so REST candles land beside them).
using GapFillerFor = std::function<sources::binance::KlineGapFiller(io::RawSink& sink)>;

StreamSource binance_source(io::WebSocketClient& client, sources::binance::LiveOptions options, io::Clock& clock,
                            GapFillerFor gap_filler_for = {}, sources::binance::LiveProgress progress = {});

StreamSource simulator_source(sources::simulator::LiveSimulationOptions options, io::Clock& clock);

}  // namespace cryptolake::stream
