#include "sources/binance/ws_capture.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <simdjson.h>

#include "core/decimal.hpp"
#include "core/excerpt.hpp"
#include "core/json_text.hpp"
#include "core/symbol.hpp"

namespace cryptolake::sources::binance {

namespace {

constexpr size_t kMaxProblems = 20;  // reported one by one; the rest only counted

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

// "1633998512.0633569" → µs since the epoch.
std::optional<core::Timestamp> epoch_seconds(std::string_view text) {
  const size_t dot = text.find('.');
  const auto whole = core::parse_int(text.substr(0, dot));
  if (!whole || *whole < 0) return std::nullopt;
  int64_t micros = 0;
  if (dot != std::string_view::npos) {
    std::string fraction(text.substr(dot + 1, 6));
    if (fraction.empty() || !std::ranges::all_of(fraction, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) return std::nullopt;
    fraction.resize(6, '0');
    micros = *core::parse_int(fraction);
  }
  return core::Timestamp::from_micros(*whole * 1'000'000 + micros);
}

// When an NDJSON message was received: its "received_at", or the event time "E".
std::optional<core::Timestamp> message_time(simdjson::dom::parser& parser, std::string_view line) {
  simdjson::dom::object object;
  if (parser.parse(line.data(), line.size()).get(object)) return std::nullopt;
  std::string_view iso;
  if (!object["received_at"].get_string().get(iso)) return core::Timestamp::parse_iso(iso);
  int64_t event_ms = 0;
  if (!object["E"].get_int64().get(event_ms)) return core::Timestamp::from_millis(event_ms);
  if (!object["data"]["E"].get_int64().get(event_ms)) return core::Timestamp::from_millis(event_ms);
  return std::nullopt;
}

void problem(Capture& capture, size_t line, std::string_view why) {
  ++capture.skipped;
  if (capture.problems.size() < kMaxProblems) capture.problems.push_back(fmt::format("line {}: {}", line, why));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

core::Result<Capture> read_capture(std::string_view text) {
  Capture capture;
  simdjson::dom::parser parser;
  size_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line_no == 1 && line.find(" <-> ") != std::string_view::npos) {
      capture.url = std::string(line.substr(0, line.find(" <-> ")));
      continue;
    }
    if (line.front() == '{') {
      const auto when = message_time(parser, line);
      if (!when) {
        problem(capture, line_no, "a JSON message without received_at or E (event time), or not JSON");
        continue;
      }
      capture.messages.push_back({*when, line, line_no});
      continue;
    }
    const size_t colon = line.find(": ");
    const auto when = colon == std::string_view::npos ? std::nullopt : epoch_seconds(line.substr(0, colon));
    if (!when || colon + 2 >= line.size()) {
      problem(capture, line_no, fmt::format("not '<epoch>: <message>': '{}'", core::excerpt(line, 60)));
      continue;
    }
    capture.messages.push_back({*when, line.substr(colon + 2), line_no});
  }
  if (capture.messages.empty()) {
    return core::fail(core::ErrorCode::invalid_argument, "no recorded message in the capture{}",
                      capture.problems.empty() ? "" : " (" + capture.problems.front() + ")");
  }
  return capture;
}

StreamName parse_stream_name(std::string_view stream) {
  StreamName name;
  const size_t at = stream.find('@');
  if (at != std::string_view::npos) {
    if (auto symbol = core::Symbol::parse(stream.substr(0, at))) name.symbol = symbol->canonical();
  }
  std::string_view kind = at == std::string_view::npos ? stream : stream.substr(at + 1);
  kind = kind.substr(0, kind.find('@'));  // depth@100ms → depth
  if (kind.starts_with("kline")) name.dataset = "ws_kline";
  else if (kind == "trade") name.dataset = "ws_trade";
  else if (kind == "aggTrade") name.dataset = "ws_aggtrade";
  else if (kind == "bookTicker") name.dataset = "ws_bookticker";
  else if (kind.starts_with("depth")) name.dataset = "ws_depth";
  else name.dataset = "ws_other";
  return name;
}

std::string stream_name(const core::Symbol& symbol, std::string_view kind) {
  return fmt::format("{}@{}", lower(symbol.base() + symbol.quote()), kind);
}

core::Envelope capture_envelope(const CapturedMessage& message, std::string_view source, std::string_view url) {
  thread_local simdjson::dom::parser parser;
  core::Envelope envelope{message.received_at, std::string(source), "ws_other", "", std::string(message.text), true};
  std::string stream;
  simdjson::dom::object object;
  if (parser.parse(message.text.data(), message.text.size()).get(object)) {
    envelope.payload_is_json = false;  // kept byte for byte; the transform quarantines it
  } else {
    std::string_view wrapped;
    std::string_view symbol, event;
    if (!object["stream"].get_string().get(wrapped)) {
      stream = wrapped;
    } else if (!object["s"].get_string().get(symbol)) {
      // A raw (unwrapped) stream message: name it as the combined stream would.
      // Spot bookTicker payloads carry no "e".
      if (object["e"].get_string().get(event)) event = "bookTicker";
      stream = fmt::format("{}@{}", lower(symbol), event);
    }
  }
  const StreamName name = parse_stream_name(stream);
  envelope.dataset = name.dataset;
  std::string request = "{\"url\":";
  core::append_json_string(request, url);
  request += ",\"stream\":";
  core::append_json_string(request, stream);
  request += ",\"symbol\":";
  core::append_json_string(request, name.symbol);
  request += '}';
  envelope.request = std::move(request);
  return envelope;
}

core::Result<ReplayReport> replay_capture(const Capture& capture, const ReplayOptions& options, io::Clock& clock, io::RawSink& sink,
                                          std::stop_token stop) {
  if (options.speed < 0) return core::fail(core::ErrorCode::invalid_argument, "speed {} is negative", options.speed);
  ReplayReport report;
  const core::Timestamp started = clock.now();
  const core::Timestamp first = capture.messages.front().received_at;
  for (const CapturedMessage& message : capture.messages) {
    if (stop.stop_requested()) break;
    if (options.speed > 0) {
      const auto offset = static_cast<int64_t>(static_cast<double>(message.received_at.micros() - first.micros()) / options.speed);
      if (!clock.sleep_until(core::Timestamp::from_micros(started.micros() + std::max<int64_t>(0, offset)), stop)) break;
    }
    const core::Envelope envelope = capture_envelope(message, options.source, capture.url);
    TRY(sink.land(std::span<const core::Envelope>(&envelope, 1)));
    ++report.messages;
    ++report.by_dataset[envelope.dataset];
  }
  return report;
}

}  // namespace cryptolake::sources::binance
