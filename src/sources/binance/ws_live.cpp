#include "sources/binance/ws_live.hpp"

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include <simdjson.h>

#include "core/excerpt.hpp"
#include "core/market.hpp"
#include "io/retry_policy.hpp"
#include "sources/binance/ws_capture.hpp"
#include "sources/binance/kline_backfill.hpp"
#include "sources/binance/ws_event_parser.hpp"

namespace cryptolake::sources::binance {

namespace {

using core::Timestamp;

constexpr size_t kKeptDisconnects = 20;

// What the connection threads share: the report, the spacing of connection attempts, the count.
struct Shared {
  std::mutex mutex;
  LiveReport report;
  Timestamp last_attempt = Timestamp::from_micros(0);
  std::atomic<size_t> messages{0};
  std::stop_source done;  // max_messages reached, a sink failed, or the caller stopped
};

class LiveSession {
 public:
  LiveSession(io::WebSocketClient& client, const LiveOptions& options, io::Clock& clock, io::RawSink& sink, std::string url,
              Shared& shared, const KlineGapFiller& fill_gap, const LiveProgress& progress)
      : client_(client), options_(options), clock_(clock), sink_(sink), url_(std::move(url)), shared_(shared), fill_gap_(fill_gap),
        progress_(progress), jitter_(options.jitter_seed != 0 ? options.jitter_seed : std::random_device{}()) {}

  core::Status run() {
    const std::stop_token stop = shared_.done.get_token();
    bool broke = false;  // the last connection ended by itself
    while (!stop.stop_requested()) {
      if (!connection_) {
        connection_ = connect(stop);
        if (!connection_) break;
        if (broke) {
          TRY(fill_gaps());
          count([](LiveReport& r) { ++r.reconnects; });
        }
        connected_at_ = clock_.now();
      }
      if (clock_.now().micros() - connected_at_.micros() >= options_.planned_reconnect_after_us) {
        TRY(switch_connection(stop));
        continue;
      }
      auto message = connection_->read(options_.read_timeout);
      if (!message) {
        if (message.error().code == core::ErrorCode::timed_out) {
          TRY(flush());
          continue;
        }
        TRY(flush());
        count([&](LiveReport& r) { remember(r, message.error().message); });
        connection_.reset();
        broke = true;
        continue;
      }
      broke = false;
      TRY_ASSIGN(const bool shutdown, take(std::move(*message)));
      if (shutdown) {
        count([](LiveReport& r) { ++r.server_shutdowns; });
        TRY(switch_connection(stop));
      }
    }
    TRY(flush());
    if (connection_) connection_->close();
    return {};
  }

 private:
  // Opens a connection, spacing attempts across threads and backing off after failures; nothing
  // when stopped first.
  std::unique_ptr<io::WebSocketConnection> connect(const std::stop_token& stop) {
    const io::RetryPolicy backoff{std::numeric_limits<int>::max(), options_.backoff_base_us, options_.backoff_max_us};
    for (int failures = 0; !stop.stop_requested();) {
      Timestamp slot;
      {
        std::lock_guard lock(shared_.mutex);
        slot = Timestamp::from_micros(std::max(clock_.now().micros(), shared_.last_attempt.micros() + options_.min_connect_interval_us));
        shared_.last_attempt = slot;
      }
      if (!clock_.sleep_until(slot, stop)) return nullptr;
      auto connection = client_.connect(url_);
      if (connection) {
        count([](LiveReport& r) { ++r.connections; });
        return std::move(*connection);
      }
      count([&](LiveReport& r) { remember(r, connection.error().message); });
      const double unit = std::uniform_real_distribution<double>(0, 1)(jitter_);
      const int64_t delay = backoff.delay_before_retry(++failures, unit).value_or(options_.backoff_max_us);
      if (!clock_.sleep_until(Timestamp::from_micros(clock_.now().micros() + delay), stop)) return nullptr;
    }
    return nullptr;
  }

  // A fresh connection before the old one goes: the old one is read a little longer, so nothing
  // sent in between is lost (what both deliver is deduplicated downstream).
  core::Status switch_connection(const std::stop_token& stop) {
    std::unique_ptr<io::WebSocketConnection> old = std::move(connection_);
    connection_ = connect(stop);
    if (!connection_) {
      connection_ = std::move(old);
      return {};
    }
    connected_at_ = clock_.now();
    count([](LiveReport& r) { ++r.planned_switches; });
    for (size_t i = 0; i < options_.overlap_reads && old; ++i) {
      auto message = old->read(options_.read_timeout);
      if (message) {
        if (auto taken = take(std::move(*message)); !taken) return std::unexpected(taken.error());
      } else if (message.error().code != core::ErrorCode::timed_out) {
        break;
      }
    }
    old->close();
    return {};
  }

  // One message: into the pending batch of its dataset; says whether it announced a shutdown.
  core::Result<bool> take(std::string text) {
    const Timestamp received = clock_.now();
    const CapturedMessage message{received, text, 0};
    core::Envelope envelope = capture_envelope(message, options_.source, url_);
    bool shutdown = false;
    simdjson::dom::element payload;
    if (envelope.payload_is_json && !parser_.parse(text).get(payload)) {
      simdjson::dom::element event = payload;
      if (simdjson::dom::element data; !payload["data"].get(data)) event = data;
      std::string_view type;
      shutdown = !event["e"].get_string().get(type) && type == "serverShutdown";
      if (envelope.dataset == "ws_kline") track_candle(payload, received);
    }
    const std::string dataset = envelope.dataset;
    pending_[dataset].push_back(std::move(envelope));
    ++pending_count_;
    count([&](LiveReport& r) {
      ++r.messages;
      ++r.by_dataset[dataset];
    });
    if (pending_count_ >= options_.batch_messages) TRY(flush());
    if (options_.max_messages > 0 && ++shared_.messages >= options_.max_messages) shared_.done.request_stop();
    return shutdown;
  }

  void track_candle(simdjson::dom::element payload, Timestamp received) {
    auto kline = parse_ws_kline(payload, options_.source, received);
    if (!kline || !*kline) return;
    const core::Kline& k = **kline;
    auto [it, inserted] = last_closed_.try_emplace(k.symbol.canonical() + " " + k.interval, Series{k.symbol, k.interval, k.open_time});
    if (!inserted && it->second.last_open < k.open_time) it->second.last_open = k.open_time;
  }

  // After a break: the candles closed since each series' last one, from REST.
  core::Status fill_gaps() {
    if (!fill_gap_) return {};
    const Timestamp now = clock_.now();
    for (auto& [name, series] : last_closed_) {
      const int64_t step = core::interval_micros(series.interval);
      if (step <= 0) continue;
      const Timestamp from = Timestamp::from_micros(series.last_open.micros() + step);
      const Timestamp until = Timestamp::from_micros(now.micros() / step * step);  // candles closed by now
      if (from >= until) continue;
      TRY_ASSIGN(const size_t filled, fill_gap_(series.symbol, series.interval, from, until));
      count([&](LiveReport& r) { r.gaps_filled += filled; });
      series.last_open = Timestamp::from_micros(until.micros() - step);
    }
    return {};
  }

  core::Status flush() {
    for (auto& [dataset, envelopes] : pending_) {
      if (envelopes.empty()) continue;
      if (auto landed = sink_.land(envelopes); !landed) {
        shared_.done.request_stop();
        return std::unexpected(landed.error());
      }
      envelopes.clear();
    }
    pending_count_ = 0;
    return {};
  }

  template <class Change>
  void count(Change change) {
    std::lock_guard lock(shared_.mutex);
    change(shared_.report);
    if (progress_) progress_(shared_.report);
  }

  static void remember(LiveReport& report, const std::string& reason) {
    report.disconnects.push_back(core::excerpt(reason));
    if (report.disconnects.size() > kKeptDisconnects) report.disconnects.erase(report.disconnects.begin());
  }

  struct Series {
    core::Symbol symbol;
    std::string interval;
    Timestamp last_open;
  };

  io::WebSocketClient& client_;
  const LiveOptions& options_;
  io::Clock& clock_;
  io::RawSink& sink_;
  const std::string url_;
  Shared& shared_;
  const KlineGapFiller& fill_gap_;
  const LiveProgress& progress_;
  std::mt19937_64 jitter_;
  simdjson::dom::parser parser_;
  std::unique_ptr<io::WebSocketConnection> connection_;
  Timestamp connected_at_;
  std::map<std::string, std::vector<core::Envelope>> pending_;  // by dataset: a landed batch shares one
  size_t pending_count_ = 0;
  std::map<std::string, Series> last_closed_;  // "SYMBOL interval" → its last closed candle
};

// Checkpoints that live as long as one gap fill.
class ScratchCheckpoints final : public io::CheckpointStore {
 public:
  std::optional<std::string> load(std::string_view name) const override {
    const auto it = values_.find(std::string(name));
    return it == values_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  core::Status save(std::string_view name, std::string_view value) override {
    values_[std::string(name)] = std::string(value);
    return {};
  }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace

KlineGapFiller rest_gap_filler(ServiceSession& session) {
  return [&session](const core::Symbol& symbol, const std::string& interval, Timestamp from, Timestamp until) -> core::Result<size_t> {
    ScratchCheckpoints checkpoints;
    TRY_ASSIGN(const BackfillResult filled, backfill_klines(session, checkpoints, {symbol, interval, from, until}, io::Priority::live));
    return static_cast<size_t>(filled.rows);
  };
}

core::Result<std::vector<std::string>> live_urls(const LiveOptions& options) {
  if (options.streams.empty()) return core::fail(core::ErrorCode::invalid_argument, "no streams to collect");
  if (options.max_streams_per_connection == 0 || options.max_streams_per_connection > 1024) {
    return core::fail(core::ErrorCode::invalid_argument, "Binance allows 1 to 1024 streams per connection");
  }
  std::string base = options.base_url;
  if (base.empty()) base = market_of_source(options.source) == "spot" ? "wss://stream.binance.com:9443" : "wss://fstream.binance.com";
  while (base.ends_with('/')) base.pop_back();
  std::vector<std::string> urls;
  for (size_t i = 0; i < options.streams.size(); i += options.max_streams_per_connection) {
    std::string url = base + "/stream?streams=";
    for (size_t j = i; j < std::min(options.streams.size(), i + options.max_streams_per_connection); ++j) {
      const std::string& stream = options.streams[j];
      const bool valid = !stream.empty() && stream.size() <= 64 &&
                         std::ranges::all_of(stream, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '@' || c == '_' || c == '!'; });
      if (!valid) return core::fail(core::ErrorCode::invalid_argument, "'{}' is not a stream name (e.g. btcusdt@kline_1m)", core::excerpt(stream));
      url += (j == i ? "" : "/") + stream;
    }
    urls.push_back(std::move(url));
  }
  return urls;
}

core::Result<LiveReport> collect_live(io::WebSocketClient& client, const LiveOptions& options, io::Clock& clock, io::RawSink& sink,
                                      std::stop_token stop, const KlineGapFiller& fill_gap, const LiveProgress& progress) {
  TRY_ASSIGN(const std::vector<std::string> urls, live_urls(options));
  Shared shared;
  const std::stop_callback forward(stop, [&] { shared.done.request_stop(); });
  std::vector<core::Status> outcomes(urls.size());
  {
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < urls.size(); ++i) {
      threads.emplace_back([&, i] {
        LiveSession session(client, options, clock, sink, urls[i], shared, fill_gap, progress);
        outcomes[i] = session.run();
      });
    }
  }
  for (core::Status& outcome : outcomes) TRY(outcome);
  return shared.report;
}

}  // namespace cryptolake::sources::binance
