// The simulator as a live source: the same market paths as `simulate` (same seed, same candles),
// sent as Binance WebSocket kline_1m events — an open update at mid-minute and the closed candle
// ("x": true) 100 ms after the minute ends — on a simulated clock that runs `speed` times faster
// than the real one (0: as fast as the sink takes them). Envelopes are stamped with the simulated
// time, so a day streamed at 1,000× lands the candles it would have landed live.
#pragma once

#include <map>
#include <stop_token>
#include <string>

#include "core/config.hpp"
#include "io/clock.hpp"
#include "io/raw_sink.hpp"
#include "sources/simulator/market_simulator.hpp"

namespace cryptolake::sources::simulator {

struct LiveSimulationOptions {
  core::SimulatorConfig config;  // symbols, start, days, seed
  int64_t minutes = 0;           // > 0: instead of config.days
  int64_t first_minute = 0;      // the minutes of the market before this one are simulated, not sent
  double speed = 1.0;            // simulated seconds per real second; 0: at once
  std::string source = "simulator";
  size_t batch_messages = 1000;  // landed at least this often, and at every simulated minute
};

struct LiveSimulationReport {
  size_t messages = 0;
  size_t closed_candles = 0;
  std::map<std::string, size_t> by_dataset;
};

[[nodiscard]] core::Result<LiveSimulationReport> stream_simulation(const LiveSimulationOptions& options, io::Clock& clock, io::RawSink& sink,
                                                                   std::stop_token stop = {});

// The combined-stream message of one candle, as Binance sends it (closed or still open).
std::string kline_event(const core::Symbol& symbol, const Candle& candle, int price_decimals, bool closed, core::Timestamp event_time);

}  // namespace cryptolake::sources::simulator
