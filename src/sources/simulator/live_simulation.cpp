#include "sources/simulator/live_simulation.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sources/binance/ws_capture.hpp"

namespace cryptolake::sources::simulator {

using core::Timestamp;

namespace {

constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kCloseLatency = 100'000;  // the closed candle arrives 100 ms after the minute

}  // namespace

std::string kline_event(const core::Symbol& symbol, const Candle& c, int price_decimals, bool closed, Timestamp event_time) {
  const std::string pair = symbol.base() + symbol.quote();
  const int64_t open_ms = c.open_time.micros() / 1000;
  return fmt::format(
      R"({{"stream":"{}","data":{{"e":"kline","E":{},"s":"{}","k":{{"t":{},"T":{},"s":"{}","i":"1m","f":0,"L":0,)"
      R"("o":"{:.{}f}","c":"{:.{}f}","h":"{:.{}f}","l":"{:.{}f}","v":"{:.8f}","n":{},"x":{},"q":"{:.8f}","V":"{:.8f}","Q":"{:.8f}","B":"0"}}}}}})",
      binance::stream_name(symbol, "kline_1m"), event_time.micros() / 1000, pair, open_ms, open_ms + 59'999, pair, c.open, price_decimals, c.close, price_decimals, c.high,
      price_decimals, c.low, price_decimals, c.volume, c.trades, closed ? "true" : "false", c.quote_volume, c.taker_buy_base, c.taker_buy_quote);
}

core::Result<LiveSimulationReport> stream_simulation(const LiveSimulationOptions& options, io::Clock& clock, io::RawSink& sink,
                                                     std::stop_token stop) {
  if (options.speed < 0) return core::fail(core::ErrorCode::invalid_argument, "speed {} is negative", options.speed);
  std::vector<core::Symbol> symbols;
  for (const std::string& text : options.config.symbols) {
    TRY_ASSIGN(core::Symbol symbol, core::Symbol::parse(text));
    symbols.push_back(std::move(symbol));
  }
  const auto market_start = Timestamp::parse_date(options.config.start);
  if (!market_start) return core::fail(core::ErrorCode::invalid_argument, "start '{}' is not a YYYY-MM-DD date", options.config.start);
  if (options.first_minute < 0) return core::fail(core::ErrorCode::invalid_argument, "first minute {} is negative", options.first_minute);
  const int64_t minutes = options.minutes > 0 ? options.minutes : int64_t{options.config.days} * 1440;
  const MarketPaths paths = simulate_market(symbols, *market_start, minutes, options.config.seed, options.first_minute);
  const Timestamp start = paths.start;  // of the first minute sent

  LiveSimulationReport report;
  std::map<std::string, std::vector<core::Envelope>> pending;  // by dataset
  size_t pending_count = 0;
  const auto flush = [&]() -> core::Status {
    for (auto& [dataset, envelopes] : pending) {
      if (!envelopes.empty()) TRY(sink.land(envelopes));
      envelopes.clear();
    }
    pending_count = 0;
    return {};
  };
  const Timestamp real_start = clock.now();
  // Waits until the simulated clock reaches `at`; false when stopped.
  const auto reach = [&](Timestamp at) {
    if (options.speed == 0) return !stop.stop_requested();
    const auto real_offset = static_cast<int64_t>(static_cast<double>(at.micros() - start.micros()) / options.speed);
    return clock.sleep_until(Timestamp::from_micros(real_start.micros() + real_offset), stop);
  };
  const auto send = [&](const std::string& text, Timestamp at) -> core::Status {
    const binance::CapturedMessage message{at, text, 0};
    core::Envelope envelope = binance::capture_envelope(message, options.source, "simulator://binance/stream");
    ++report.messages;
    ++report.by_dataset[envelope.dataset];
    pending[envelope.dataset].push_back(std::move(envelope));
    if (++pending_count >= options.batch_messages) TRY(flush());
    return {};
  };
  for (int64_t m = 0; m < minutes; ++m) {
    const Timestamp open = Timestamp::from_micros(start.micros() + m * kMinute);
    const Timestamp mid = Timestamp::from_micros(open.micros() + kMinute / 2);
    if (!reach(mid)) break;
    for (size_t s = 0; s < symbols.size(); ++s) {
      // Mid-minute, the candle so far: half the minute's volume, prices between open and close.
      Candle partial = paths.candles[s][static_cast<size_t>(m)];
      partial.close = (partial.open + partial.close) / 2;
      partial.high = std::max(partial.open, partial.close);
      partial.low = std::min(partial.open, partial.close);
      partial.volume /= 2;
      partial.quote_volume /= 2;
      partial.taker_buy_base /= 2;
      partial.taker_buy_quote /= 2;
      partial.trades /= 2;
      TRY(send(kline_event(symbols[s], partial, paths.price_decimals[s], false, mid), mid));
    }
    const Timestamp closed_at = Timestamp::from_micros(open.micros() + kMinute + kCloseLatency);
    if (!reach(closed_at)) break;
    for (size_t s = 0; s < symbols.size(); ++s) {
      TRY(send(kline_event(symbols[s], paths.candles[s][static_cast<size_t>(m)], paths.price_decimals[s], true, closed_at),
               closed_at));
      ++report.closed_candles;
    }
    if (options.speed > 0) TRY(flush());  // paced: each minute is visible as it closes
  }
  TRY(flush());
  return report;
}

}  // namespace cryptolake::sources::simulator
