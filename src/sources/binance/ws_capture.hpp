// Recorded Binance WebSocket sessions, replayed as a source. Two formats:
//   - cryptofeed's capture: a first line "<url> <-> <connect epoch>", then "<epoch>: <message>"
//     per received message (epoch seconds with a fraction);
//   - NDJSON: one message per line, timed by an ISO "received_at" field or the event time "E"
//     (of the message, or of its "data").
// Each message is landed exactly as recorded, in an envelope timed by its recording, under
// dataset ws_<kind> (ws_kline, ws_trade, ws_aggtrade, ws_bookticker, ws_depth, ws_other) with
// request {"url", "stream", "symbol"}.
#pragma once

#include <map>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/envelope.hpp"
#include "core/result.hpp"
#include "core/symbol.hpp"
#include "io/clock.hpp"
#include "io/raw_sink.hpp"

namespace cryptolake::sources::binance {

struct CapturedMessage {
  core::Timestamp received_at;
  std::string_view text;  // the message, into the capture's text
  size_t line = 0;        // 1-based
};

struct Capture {
  std::string url;  // the session's URL, when the capture says
  std::vector<CapturedMessage> messages;
  std::vector<std::string> problems;  // lines that are not messages, with line numbers (bounded)
  size_t skipped = 0;                 // how many such lines in all
};

// Reads either format; `text` must outlive the result.
[[nodiscard]] core::Result<Capture> read_capture(std::string_view text);

// A combined-stream name ("nknusdt@depth@100ms", "btcusdt@kline_1m") → its symbol and the dataset
// its messages land in.
struct StreamName {
  std::string symbol;   // canonical, e.g. NKN-USDT; empty when the name has none
  std::string dataset;  // ws_depth, ws_kline, …
};
StreamName parse_stream_name(std::string_view stream);
// The other way: a symbol's stream of that kind, as Binance names it (BTC-USDT, kline_1m →
// btcusdt@kline_1m).
std::string stream_name(const core::Symbol& symbol, std::string_view kind);

// The envelope of one recorded message (the stream read from its combined wrapper, or its "s"
// and "e" fields when it has none).
core::Envelope capture_envelope(const CapturedMessage& message, std::string_view source, std::string_view url);

struct ReplayOptions {
  std::string source = "binance";
  double speed = 1.0;  // 1: the recorded pace; 10: ten times faster; 0: as fast as possible
};

struct ReplayReport {
  size_t messages = 0;
  std::map<std::string, size_t> by_dataset;
};

// Lands every message into `sink`, one envelope each, pacing them on `clock` as recorded
// (divided by the speed). Stops early, with what it did so far, when `stop` is requested.
[[nodiscard]] core::Result<ReplayReport> replay_capture(const Capture& capture, const ReplayOptions& options, io::Clock& clock,
                                                        io::RawSink& sink, std::stop_token stop = {});

}  // namespace cryptolake::sources::binance
