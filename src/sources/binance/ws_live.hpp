// Live Binance market streams over WebSocket into a RawSink: every message landed exactly as
// received, in an envelope like a replayed capture's (sources/binance/ws_capture). Combined
// streams (/stream?streams=a/b/…), at most 1024 streams per connection (more: one connection and
// thread per 1024), connection attempts spaced to stay under 300 per 5 minutes, the server's
// pings answered while reading, reconnects with capped exponential backoff and full jitter, a
// planned switch to a fresh connection before Binance's 24 h cut and on `serverShutdown` (the
// new connection opens before the old one closes; the overlap's duplicates are dropped by key in
// the curated tables). After a connection broke, the closed candles it missed are handed to a
// gap filler (the REST backfill), so the gaps ledger stays empty.
#pragma once

#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <vector>

#include "core/symbol.hpp"
#include "io/clock.hpp"
#include "io/raw_sink.hpp"
#include "io/websocket_client.hpp"
#include "sources/service_session.hpp"

namespace cryptolake::sources::binance {

struct LiveOptions {
  std::string source = "binance";  // binance (spot) or binance_um (USDⓈ-M futures)
  std::string base_url;            // empty: wss://stream.binance.com:9443, or wss://fstream.binance.com for binance_um
  std::vector<std::string> streams;  // btcusdt@kline_1m, ethusdt@aggTrade, …
  size_t max_streams_per_connection = 1024;
  int64_t planned_reconnect_after_us = 23LL * 3600 * 1'000'000;  // Binance cuts at 24 h
  int64_t backoff_base_us = 1'000'000;
  int64_t backoff_max_us = 60'000'000;
  int64_t min_connect_interval_us = 1'000'000;  // 300 attempts per 5 minutes per IP
  std::chrono::milliseconds read_timeout{250};  // how often the loop looks up from reading
  size_t overlap_reads = 8;      // reads of the old connection after the new one opened
  size_t batch_messages = 500;   // landed at least this often (and on every idle read)
  size_t max_messages = 0;       // > 0: stop after this many (tests, demos)
  uint64_t jitter_seed = 0;      // 0: random
};

struct LiveReport {
  size_t messages = 0;
  size_t connections = 0;         // opened, planned switches included
  size_t reconnects = 0;          // after a connection broke
  size_t planned_switches = 0;    // before the 24 h cut, or on serverShutdown
  size_t server_shutdowns = 0;
  size_t gaps_filled = 0;         // candles the gap filler fetched
  std::map<std::string, size_t> by_dataset;
  std::vector<std::string> disconnects;  // why connections broke (the last 20)
};

// The combined-stream URLs for these streams: one per max_streams_per_connection.
[[nodiscard]] core::Result<std::vector<std::string>> live_urls(const LiveOptions& options);

// Fetches the candles of [from, until) of one series into the same sink; returns how many.
using KlineGapFiller = std::function<core::Result<size_t>(const core::Symbol& symbol, const std::string& interval, core::Timestamp from,
                                                          core::Timestamp until)>;
// The REST backfill (GET /api/v3/klines, paged) as a gap filler: pages land through the session's
// sink, like any backfill, under dataset klines. No checkpoint outlives the call.
KlineGapFiller rest_gap_filler(ServiceSession& session);

using LiveProgress = std::function<void(const LiveReport&)>;

// Runs until `stop` (or max_messages); returns what it did. Fails only for bad options or a sink
// that refuses to land; a broken connection is retried forever.
[[nodiscard]] core::Result<LiveReport> collect_live(io::WebSocketClient& client, const LiveOptions& options, io::Clock& clock,
                                                    io::RawSink& sink, std::stop_token stop, const KlineGapFiller& fill_gap = {},
                                                    const LiveProgress& progress = {});

}  // namespace cryptolake::sources::binance
