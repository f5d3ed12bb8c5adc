// The live WebSocket source against a real loopback server (plain and TLS) replaying the spot
// capture with scripted pings, dropped connections and serverShutdown.
#include "sources/binance/ws_live.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <simdjson.h>

#include "io/manual_clock.hpp"
#include "io/real/beast_websocket.hpp"
#include "sources/binance/kline_backfill.hpp"
#include "sources/binance/ws_capture.hpp"
#include "support/connector_harness.hpp"
#include "support/fake_binance.hpp"
#include "support/fixtures.hpp"
#include "support/memory_sinks.hpp"
#include "support/ws_replay_server.hpp"

namespace cryptolake::sources::binance {
namespace {

using testing::WsReplayServer;
using testing::WsScript;
using testing::WsStep;

const core::Timestamp kStart = *core::Timestamp::parse_iso("2021-10-12T00:28:40.500Z");

std::vector<std::string> capture_messages() {
  static const std::string text = testing::read_fixture("cryptofeed_binance_spot_ws_capture_2021-10-12.txt");
  std::vector<std::string> messages;
  const auto capture = read_capture(text);
  for (const auto& m : capture->messages) messages.emplace_back(m.text);
  return messages;
}

WsScript sends(const std::vector<std::string>& messages, size_t begin, size_t end) {
  WsScript script;
  for (size_t i = begin; i < end; ++i) script.push_back(WsStep::send(messages[i]));
  return script;
}

// A closed BTCUSDT 1m candle opening at `open`.
std::string closed_candle(core::Timestamp open) {
  const int64_t t = open.micros() / 1000;
  return fmt::format(R"({{"stream":"btcusdt@kline_1m","data":{{"e":"kline","E":{},"s":"BTCUSDT","k":{{"t":{},"T":{},"s":"BTCUSDT","i":"1m",)"
                     R"("o":"57000","c":"57010","h":"57020","l":"56990","v":"3","n":9,"x":true,"q":"171030","V":"1","Q":"57010"}}}}}})",
                     t + 60000, t, t + 59999);
}

LiveOptions options_for(const WsReplayServer& server, size_t max_messages) {
  LiveOptions options;
  options.base_url = server.base_url();
  options.streams = {"nknusdt@depth@100ms", "nknusdt@bookTicker", "nknusdt@kline_1m", "nknusdt@aggTrade", "btcusdt@kline_1m"};
  options.read_timeout = std::chrono::milliseconds(50);
  options.min_connect_interval_us = 0;
  options.max_messages = max_messages;
  options.jitter_seed = 7;
  return options;
}

io::WebSocketOptions trusting(const std::string& ca_file) {
  io::WebSocketOptions options;
  options.connect_timeout = std::chrono::milliseconds(5000);
  options.ca_file = ca_file;
  return options;
}

TEST(LiveUrls, StreamsAreSplitAt1024PerConnectionAndCheckedByName) {
  LiveOptions options;
  for (int i = 0; i < 1500; ++i) options.streams.push_back(fmt::format("s{}usdt@trade", i));
  auto urls = live_urls(options);
  ASSERT_TRUE(urls) << urls.error().message;
  ASSERT_EQ(urls->size(), 2u);
  EXPECT_TRUE((*urls)[0].starts_with("wss://stream.binance.com:9443/stream?streams=s0usdt@trade/s1usdt@trade/"));
  EXPECT_EQ(std::count((*urls)[0].begin(), (*urls)[0].end(), '/'), 3 + 1023);
  EXPECT_TRUE((*urls)[1].starts_with("wss://stream.binance.com:9443/stream?streams=s1024usdt@trade/"));
  options.source = "binance_um";
  options.streams = {"btcusdt@kline_1m"};
  EXPECT_EQ(live_urls(options)->front(), "wss://fstream.binance.com/stream?streams=btcusdt@kline_1m");
  options.streams = {"btcusdt@trade&x=1"};
  ASSERT_FALSE(live_urls(options));
  EXPECT_NE(live_urls(options).error().message.find("not a stream name"), std::string::npos);
  options.streams = {};
  ASSERT_FALSE(live_urls(options));
}

// Connection 1 sends part of the capture and a closed candle, then drops; connection 2 pings,
// sends the rest and announces serverShutdown; the source opens connection 3 before leaving 2,
// and the candles missed while disconnected are asked of the gap filler. Every message lands once,
// byte for byte, in order.
TEST(LiveSource, LandsEveryMessageAcrossDropsPingsAndServerShutdown) {
  std::vector<std::string> messages = capture_messages();
  ASSERT_EQ(messages.size(), 265u);
  const core::Timestamp candle = *core::Timestamp::parse_iso("2021-10-12T00:20:00Z");
  WsScript first = sends(messages, 0, 120);
  first.push_back(WsStep::send(closed_candle(candle)));
  first.push_back(WsStep::drop());
  WsScript second{WsStep::ping()};
  for (const WsStep& step : sends(messages, 120, 265)) second.push_back(step);
  const std::string shutdown = R"({"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1633998541000}})";
  second.push_back(WsStep::send(shutdown));
  const std::string after = messages[5];
  WsReplayServer server(false, {first, second, {WsStep::send(after)}});

  io::ManualClock clock(kStart);
  testing::MemoryRawSink sink;
  auto client = io::make_beast_websocket_client(trusting(""));
  std::vector<std::string> gaps;
  const KlineGapFiller fill = [&](const core::Symbol& symbol, const std::string& interval, core::Timestamp from, core::Timestamp until) {
    gaps.push_back(fmt::format("{} {} {} {}", symbol.canonical(), interval, from.iso(), until.iso()));
    return core::Result<size_t>((until.micros() - from.micros()) / 60'000'000);
  };
  auto report = collect_live(*client, options_for(server, 268), clock, sink, {}, fill);
  ASSERT_TRUE(report) << report.error().message;

  std::vector<std::string> expected(messages.begin(), messages.begin() + 120);
  expected.push_back(closed_candle(candle));
  expected.insert(expected.end(), messages.begin() + 120, messages.end());
  expected.push_back(shutdown);
  expected.push_back(after);
  std::vector<std::string> landed;
  for (const core::Envelope& e : sink.envelopes()) landed.push_back(e.payload);
  // Landed per dataset in batches, so compare as sets of (position-free) copies, then counts.
  std::multiset<std::string> want(expected.begin(), expected.end()), got(landed.begin(), landed.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(report->messages, 268u);
  EXPECT_EQ(report->connections, 3u);
  EXPECT_EQ(report->reconnects, 1u);
  EXPECT_EQ(report->server_shutdowns, 1u);
  EXPECT_EQ(report->planned_switches, 1u);
  EXPECT_EQ(report->by_dataset["ws_depth"], 177u + 1);  // messages[5] is a depth update
  EXPECT_EQ(report->by_dataset["ws_kline"], 3u);
  ASSERT_EQ(report->disconnects.size(), 1u);
  // The gap: from the candle after the last closed one to the last candle closed by now.
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0], "BTC-USDT 1m 2021-10-12T00:21:00.000000Z 2021-10-12T00:28:00.000000Z");
  EXPECT_EQ(report->gaps_filled, 7u);
  // The server saw the combined-stream target, and our pong to its ping.
  const std::vector<std::string> targets = server.targets();
  ASSERT_GE(targets.size(), 3u);
  EXPECT_EQ(targets[0], "/stream?streams=nknusdt@depth@100ms/nknusdt@bookTicker/nknusdt@kline_1m/nknusdt@aggTrade/btcusdt@kline_1m");
  EXPECT_GE(server.pongs(), 1u);
  // Envelopes are those of a replayed capture: timed by our clock, named by stream.
  for (const core::Envelope& e : sink.of("ws_aggtrade")) {
    EXPECT_EQ(e.received_at, kStart);
    EXPECT_NE(e.request.find("@aggTrade\",\"symbol\""), std::string::npos) << e.request;
  }
}

// After a drop, the closed candles missed in between come from the REST backfill (a fake Binance
// on loopback) into the same sink: no minute is missing.
TEST(LiveSource, CandlesMissedWhileDisconnectedComeFromRest) {
  const core::Timestamp first = *core::Timestamp::parse_iso("2024-03-02T10:00:00Z");
  constexpr int64_t kMinute = 60'000'000;
  testing::ConnectorHarness h{core::Timestamp::from_micros(first.micros() + 12 * kMinute + 30'000'000)};
  testing::FakeBinance fake{h.server, h.clock, *core::Timestamp::parse_iso("2024-03-01T00:00:00Z")};
  WsReplayServer server(false, {{WsStep::send(closed_candle(first)), WsStep::drop()},
                                {WsStep::send(closed_candle(core::Timestamp::from_micros(first.micros() + 12 * kMinute)))}});
  auto client = io::make_beast_websocket_client(trusting(""));
  auto session = h.session(binance_endpoint(h.server.base_url()));
  auto report = collect_live(*client, options_for(server, 2), h.clock, h.raw, {}, rest_gap_filler(session));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->reconnects, 1u);
  EXPECT_EQ(report->gaps_filled, 11u);  // 10:01 … 10:11
  std::set<int64_t> minutes;  // every candle open time the sink holds, WebSocket and REST
  simdjson::dom::parser parser;
  for (const core::Envelope& e : h.raw.of("klines")) {
    simdjson::dom::array rows;
    ASSERT_FALSE(parser.parse(e.payload).get(rows));
    for (simdjson::dom::element row : rows) {
      int64_t open_ms = 0;
      ASSERT_FALSE(row.at(0).get(open_ms));
      minutes.insert((open_ms * 1000 - first.micros()) / kMinute);
    }
  }
  for (const core::Envelope& e : h.raw.of("ws_kline")) {
    const size_t at = e.payload.find(R"("k":{"t":)");
    ASSERT_NE(at, std::string::npos) << e.payload;
    const int64_t open_ms = std::stoll(e.payload.substr(at + 9));
    minutes.insert((open_ms * 1000 - first.micros()) / kMinute);
  }
  std::set<int64_t> expected;
  for (int64_t m = 0; m <= 12; ++m) expected.insert(m);
  EXPECT_EQ(minutes, expected);
}

// A server that is not there: attempts back off exponentially (full jitter, capped), on the clock.
TEST(LiveSource, ReconnectsBackOffExponentiallyUpToTheCap) {
  std::string url;
  { url = WsReplayServer(false, {}).base_url(); }  // a port nobody listens on any more
  io::ManualClock clock(kStart, /*auto_advance=*/true);
  testing::MemoryRawSink sink;
  auto client = io::make_beast_websocket_client(trusting(""));
  LiveOptions options;
  options.base_url = url;
  options.streams = {"btcusdt@trade"};
  options.backoff_base_us = 1'000'000;
  options.backoff_max_us = 8'000'000;
  options.min_connect_interval_us = 500'000;
  options.jitter_seed = 3;
  std::stop_source stop;
  auto report = collect_live(*client, options, clock, sink, stop.get_token(), {}, [&](const LiveReport& r) {
    if (r.disconnects.size() >= 8) stop.request_stop();
  });
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_GE(report->disconnects.size(), 8u);
  EXPECT_NE(report->disconnects[0].find("connecting to 127.0.0.1"), std::string::npos) << report->disconnects[0];
  EXPECT_EQ(report->connections, 0u);
  // 8 attempts: at least the spacing between them, at most spacing + the capped backoffs
  // (1, 2, 4, 8, 8, 8, 8 s before attempts 2–8).
  const int64_t waited = clock.now().micros() - kStart.micros();
  EXPECT_GE(waited, 7 * 500'000);
  EXPECT_LE(waited, 7 * 500'000 + (1 + 2 + 4 + 8 + 8 + 8 + 8) * 1'000'000LL);
}

// A connection older than planned_reconnect_after is replaced before Binance would cut it.
TEST(LiveSource, SwitchesToAFreshConnectionBeforeThe24HourCut) {
  const std::vector<std::string> messages = capture_messages();
  WsReplayServer server(true, {sends(messages, 0, 5), sends(messages, 5, 8)});
  io::ManualClock clock(kStart);
  testing::MemoryRawSink sink;
  auto client = io::make_beast_websocket_client(trusting(WsReplayServer::certificate_file()));
  LiveOptions options = options_for(server, 8);
  options.planned_reconnect_after_us = 23LL * 3600 * 1'000'000;
  bool advanced = false;
  auto report = collect_live(*client, options, clock, sink, {}, {}, [&](const LiveReport& r) {
    if (r.messages == 5 && !advanced) {
      advanced = true;
      clock.advance(options.planned_reconnect_after_us);  // a day's connection, 23 hours on
    }
  });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->messages, 8u);
  EXPECT_EQ(report->connections, 2u);
  EXPECT_EQ(report->planned_switches, 1u);
  EXPECT_EQ(report->reconnects, 0u);
  EXPECT_EQ(sink.envelopes().size(), 8u);
}

// TLS: the server's certificate must be trusted and name the host.
TEST(LiveSource, TlsConnectionsVerifyTheServerCertificate) {
  const std::vector<std::string> messages = capture_messages();
  WsReplayServer server(true, {sends(messages, 0, 3)});
  auto trusted = io::make_beast_websocket_client(trusting(WsReplayServer::certificate_file()));
  auto connection = trusted->connect(server.base_url() + "/stream?streams=nknusdt@bookTicker");
  ASSERT_TRUE(connection) << connection.error().message;
  for (size_t i = 0; i < 3; ++i) {
    auto message = (*connection)->read(std::chrono::milliseconds(5000));
    ASSERT_TRUE(message) << message.error().message;
    EXPECT_EQ(*message, messages[i]);
  }
  auto idle = (*connection)->read(std::chrono::milliseconds(30));
  ASSERT_FALSE(idle);
  EXPECT_EQ(idle.error().code, core::ErrorCode::timed_out);
  EXPECT_TRUE((*connection)->ping());
  (*connection)->close();

  auto untrusting = io::make_beast_websocket_client(trusting(WsReplayServer::untrusted_certificate_file()));
  auto refused = untrusting->connect(server.base_url() + "/stream?streams=nknusdt@bookTicker");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::unavailable);
  EXPECT_NE(refused.error().message.find("TLS handshake"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(trusted->connect("http://127.0.0.1/"));
}

}  // namespace
}  // namespace cryptolake::sources::binance
