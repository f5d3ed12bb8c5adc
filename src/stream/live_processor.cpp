#include "stream/live_processor.hpp"

#include <chrono>

#include <fmt/format.h>
#include <simdjson.h>

#include "analytics/stream_stats.hpp"
#include "bus/bus_raw_sink.hpp"
#include "core/json_text.hpp"
#include "lake/partition_versions.hpp"
#include "sources/binance/ws_event_parser.hpp"

namespace cryptolake::stream {

namespace {

constexpr int64_t kMinuteUs = 60'000'000;

// The closed 1-minute candle of a kline record's envelope line; nothing for other records or
// open candles; an error for a line that cannot be read.
core::Result<std::optional<LiveCandle>> candle_of(simdjson::dom::parser& parser, const bus::Record& record) {
  const auto key = bus::parse_record_key(record.key);
  if (!key || key->dataset != "ws_kline") return std::optional<LiveCandle>();
  simdjson::dom::element line;
  if (parser.parse(record.value).get(line)) return core::fail(core::ErrorCode::corrupt_data, "record is not JSON");
  std::string_view received_text, source;
  simdjson::dom::element payload;
  if (line["received_at"].get_string().get(received_text) || line["source"].get_string().get(source) || line["payload"].get(payload)) {
    return core::fail(core::ErrorCode::corrupt_data, "record is not an envelope");
  }
  const auto received = core::Timestamp::parse_iso(received_text);
  if (!received) return core::fail(core::ErrorCode::corrupt_data, "envelope received_at is not ISO-8601");
  TRY_ASSIGN(auto kline, sources::binance::parse_ws_kline(payload, source, *received));
  if (!kline.has_value()) return std::optional<LiveCandle>();
  const core::Kline& k = *kline;
  if (k.interval != "1m") return std::optional<LiveCandle>();
  return std::optional<LiveCandle>(LiveCandle{k.source, k.symbol.canonical(), k.open_time.micros(), k.close, k.volume, k.trades});
}

}  // namespace

LiveProcessor::Series::Series(const core::ProjectionsConfig& config) : projector(config, kMinuteUs) {
  for (const int minutes : analytics::kStreamWindowsMinutes) windows.emplace_back(minutes * kMinuteUs);
}

bool LiveProcessor::add(const LiveCandle& candle, bool project) {
  auto it = series_.find({candle.source, candle.symbol});
  if (it == series_.end()) {
    if (series_.size() >= kMaxSeries) {  // memory and the snapshot stay bounded, whatever the bus carries
      ++dropped_;
      return false;
    }
    it = series_.try_emplace({candle.source, candle.symbol}, projections_).first;
  }
  Series& s = it->second;
  if (!s.closes.empty() && candle.open_time <= s.closes.back().first) {
    ++dropped_;
    return false;
  }
  ++candles_;
  s.closes.emplace_back(candle.open_time, candle.close);
  while (s.closes.size() > static_cast<size_t>(projections_.window)) s.closes.pop_front();
  for (auto& window : s.windows) window.add({candle.open_time, candle.close, candle.volume, candle.trades});
  auto projected = s.projector.add(candle.open_time, candle.close, project);
  s.has_projection_error = !projected;
  if (projected && project) s.projections = std::move(*projected);
  return true;
}

bool LiveProcessor::add_candles(const std::vector<LiveCandle>& candles) {
  // Only the newest candle of each series in the batch is projected from: that is what the page shows.
  std::map<std::pair<std::string_view, std::string_view>, size_t> last;
  for (size_t i = 0; i < candles.size(); ++i) last[{candles[i].source, candles[i].symbol}] = i;
  bool changed = false;
  for (size_t i = 0; i < candles.size(); ++i) {
    changed |= add(candles[i], last[{candles[i].source, candles[i].symbol}] == i);
  }
  return changed;
}

void LiveProcessor::seed(const analytics::CandleSeries& lake) {
  std::vector<LiveCandle> candles;
  candles.reserve(lake.candles.size());
  for (const auto& c : lake.candles) {
    const auto& name = lake.series[c.series];
    if (name.interval != "1m") continue;
    candles.push_back({name.source, name.symbol, c.open_time, c.close, c.volume, c.trades});
  }
  add_candles(candles);
}

bool LiveProcessor::add_records(const std::vector<bus::Record>& records) {
  std::vector<LiveCandle> candles;
  for (const bus::Record& record : records) {
    auto candle = candle_of(parser_, record);
    if (!candle) ++unreadable_;
    else if (*candle) candles.push_back(std::move(**candle));
  }
  return add_candles(candles);
}

std::string LiveProcessor::snapshot_json() const {
  const auto ms = [](int64_t us) { return us / 1000; };
  std::string out = "{\"series\":[";
  bool first_series = true;
  for (const auto& [name, s] : series_) {
    if (s.closes.empty()) continue;
    if (!first_series) out += ',';
    first_series = false;
    out += fmt::format("{{\"source\":{},\"symbol\":{},\"simulated\":{},\"last_time\":{},\"last_close\":{},\"closes\":[",
                       core::json_string(name.first), core::json_string(name.second), name.first == "simulator" ? "true" : "false",
                       ms(s.closes.back().first), core::json_number(s.closes.back().second));
    for (size_t i = 0; i < s.closes.size(); ++i) out += fmt::format("{}[{},{}]", i ? "," : "", ms(s.closes[i].first), core::json_number(s.closes[i].second));
    out += "],\"windows\":[";
    for (size_t w = 0; w < s.windows.size(); ++w) {
      const analytics::WindowStats st = s.windows[w].stats();
      out += fmt::format("{}{{\"minutes\":{},\"count\":{},\"min\":{},\"max\":{},\"mean\":{},\"std\":{},\"vwap\":{},\"return\":{},\"trades\":{}}}",
                         w ? "," : "", analytics::kStreamWindowsMinutes[w], st.count, core::json_number(st.min), core::json_number(st.max), core::json_number(st.mean),
                         core::json_number(st.std), core::json_number(st.vwap), core::json_number(st.ret), st.trades);
    }
    out += "],\"projections\":[";
    for (size_t p = 0; p < s.projections.size(); ++p) {
      const analytics::Projection& pr = s.projections[p];
      out += fmt::format("{}{{\"horizon_minutes\":{},\"made_at\":{},\"target_time\":{},\"mean\":{},\"lower_95\":{},\"upper_95\":{}}}",
                         p ? "," : "", pr.horizon, ms(pr.made_at), ms(pr.target_time), core::json_number(pr.mean), core::json_number(pr.lower_95), core::json_number(pr.upper_95));
    }
    out += "]}";
  }
  out += fmt::format("],\"candles\":{},\"dropped\":{},\"unreadable\":{}}}", candles_, dropped_, unreadable_);
  return out;
}

core::Result<analytics::CandleSeries> read_newest_candles(lake::ObjectStore& store, lake::DuckDb& duckdb, int window) {
  TRY_ASSIGN(const auto versions, lake::partition_versions(store, "market_ohlcv"));
  if (versions.empty()) return analytics::CandleSeries{};
  return analytics::read_changed_candles(store, duckdb, {.consumed = std::nullopt, .tail = window, .days_before = 0, .first_day = versions.rbegin()->first});
}

core::Status run_live(bus::Bus& bus, LiveProcessor& processor, const LiveOptions& options, io::Clock& clock,
                      const std::function<void(std::string)>& publish, std::stop_token stop) {
  const std::string topic = bus::topic_name(options.topic_prefix, "raw");
  TRY(bus.create_topics({topic}));
  TRY_ASSIGN(auto consumer, bus.consumer(options.group, {topic}));
  publish(processor.snapshot_json());
  int64_t last_publish = clock.now().micros(), last_commit = last_publish;
  bool unpublished = false;
  // Positions read but not committed yet: committed at most once a second (each commit is a
  // synced write), and at the end.
  std::map<std::pair<std::string, int32_t>, int64_t> uncommitted;
  const auto commit = [&]() -> core::Status {
    if (uncommitted.empty()) return {};
    std::vector<bus::Position> positions;
    for (const auto& [where, offset] : uncommitted) positions.push_back({where.first, where.second, offset});
    uncommitted.clear();
    return consumer->commit(positions);
  };
  while (!stop.stop_requested()) {
    TRY_ASSIGN(const std::vector<bus::Record> records, consumer->poll(options.max_records, std::chrono::milliseconds(200)));
    unpublished |= processor.add_records(records);
    for (const bus::Record& r : records) uncommitted[{r.topic, r.partition}] = r.offset + 1;
    const int64_t now = clock.now().micros();
    if (now - last_commit >= 1'000'000) {
      TRY(commit());
      last_commit = now;
    }
    if (unpublished && now - last_publish >= options.publish_every_ms * 1000) {
      publish(processor.snapshot_json());
      last_publish = now;
      unpublished = false;
    }
  }
  TRY(commit());
  if (unpublished) publish(processor.snapshot_json());
  return {};
}

}  // namespace cryptolake::stream
