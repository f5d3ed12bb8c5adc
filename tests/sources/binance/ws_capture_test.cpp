#include "sources/binance/ws_capture.hpp"

#include <gtest/gtest.h>

#include <set>

#include "io/manual_clock.hpp"
#include "support/fixtures.hpp"
#include "support/memory_sinks.hpp"

namespace cryptolake::sources::binance {
namespace {

const char* kCapture = "cryptofeed_binance_spot_ws_capture_2021-10-12.txt";

// The fixture's MANIFEST counts 265 messages: 177 depthUpdate, 84 bookTicker, 2 kline, 2 aggTrade,
// for NKNUSDT, BLZETH, LRCBTC and RUNEEUR; line 1 names the URL.
TEST(WsCapture, ReadsTheCryptofeedCaptureMessageForMessage) {
  const std::string text = testing::read_fixture(kCapture);
  auto capture = read_capture(text);
  ASSERT_TRUE(capture) << capture.error().message;
  EXPECT_TRUE(capture->url.starts_with("wss://stream.binance.com:9443/stream?streams=nknusdt@depth@100ms/")) << capture->url;
  EXPECT_TRUE(capture->problems.empty()) << capture->problems.front();
  ASSERT_EQ(capture->messages.size(), 265u);
  // "1633998512.0633569: {…}" — the receive time to the µs, the message from after ": ".
  EXPECT_EQ(capture->messages.front().received_at.micros(), 1633998512063356);
  EXPECT_EQ(capture->messages.front().line, 2u);
  EXPECT_TRUE(capture->messages.front().text.starts_with("{\"stream\":\"nknusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\""));

  std::map<std::string, size_t> by_dataset;
  std::set<std::string> symbols;
  for (const CapturedMessage& message : capture->messages) {
    const core::Envelope envelope = capture_envelope(message, "binance", capture->url);
    ++by_dataset[envelope.dataset];
    EXPECT_EQ(envelope.payload, message.text);  // exactly as received
    EXPECT_TRUE(envelope.payload_is_json);
    EXPECT_EQ(envelope.received_at, message.received_at);
    symbols.insert(envelope.request.substr(envelope.request.find("\"symbol\":")));
  }
  EXPECT_EQ(by_dataset, (std::map<std::string, size_t>{{"ws_depth", 177}, {"ws_bookticker", 84}, {"ws_kline", 2}, {"ws_aggtrade", 2}}));
  EXPECT_EQ(symbols, (std::set<std::string>{"\"symbol\":\"NKN-USDT\"}", "\"symbol\":\"BLZ-ETH\"}", "\"symbol\":\"LRC-BTC\"}",
                                            "\"symbol\":\"RUNE-EUR\"}"}));
}

TEST(WsCapture, StreamNamesGiveSymbolAndDataset) {
  EXPECT_EQ(parse_stream_name("btcusdt@kline_1m").dataset, "ws_kline");
  EXPECT_EQ(parse_stream_name("btcusdt@kline_1m").symbol, "BTC-USDT");
  EXPECT_EQ(parse_stream_name("ethusdt@aggTrade").dataset, "ws_aggtrade");
  EXPECT_EQ(parse_stream_name("ethusdt@trade").dataset, "ws_trade");
  EXPECT_EQ(parse_stream_name("lrcbtc@bookTicker").dataset, "ws_bookticker");
  EXPECT_EQ(parse_stream_name("nknusdt@depth@100ms").dataset, "ws_depth");
  EXPECT_EQ(parse_stream_name("!miniTicker@arr").dataset, "ws_other");
  EXPECT_EQ(parse_stream_name("!miniTicker@arr").symbol, "");
}

// NDJSON captures: timed by received_at or the event time; raw (unwrapped) messages are named
// from their "s" and "e"; lines that are neither are reported by number, not dropped silently.
TEST(WsCapture, ReadsNdjsonAndReportsWhatIsNotAMessage) {
  const std::string text =
      "{\"received_at\":\"2024-05-01T10:00:00.250Z\",\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1714557600100,\"s\":\"BTCUSDT\"}}\n"
      "{\"e\":\"aggTrade\",\"E\":1714557601000,\"s\":\"ETHUSDT\",\"a\":5}\n"
      "{\"u\":1,\"s\":\"ETHUSDT\",\"b\":\"1\",\"B\":\"2\",\"a\":\"3\",\"A\":\"4\"}\n"
      "garbage line\n";
  auto capture = read_capture(text);
  ASSERT_TRUE(capture) << capture.error().message;
  ASSERT_EQ(capture->messages.size(), 2u);
  EXPECT_EQ(capture->messages[0].received_at, *core::Timestamp::parse_iso("2024-05-01T10:00:00.250Z"));
  EXPECT_EQ(capture->messages[1].received_at, core::Timestamp::from_millis(1714557601000));
  EXPECT_EQ(capture->skipped, 2u);
  ASSERT_EQ(capture->problems.size(), 2u);
  EXPECT_TRUE(capture->problems[0].starts_with("line 3: ")) << capture->problems[0];
  EXPECT_TRUE(capture->problems[1].starts_with("line 4: ")) << capture->problems[1];
  const core::Envelope raw = capture_envelope(capture->messages[1], "binance", "");
  EXPECT_EQ(raw.dataset, "ws_aggtrade");
  EXPECT_NE(raw.request.find("\"stream\":\"ethusdt@aggTrade\""), std::string::npos) << raw.request;
  EXPECT_FALSE(read_capture("no messages here\n"));
}

// At speed N the replay takes the recorded span divided by N on the clock; at max it does not wait.
TEST(WsCapture, ReplayPacesMessagesAsRecordedDividedByTheSpeed) {
  const std::string text = testing::read_fixture(kCapture);
  const Capture capture = *read_capture(text);
  const int64_t span = capture.messages.back().received_at.micros() - capture.messages.front().received_at.micros();
  ASSERT_GT(span, 20'000'000);  // about 30 s recorded

  const core::Timestamp start = *core::Timestamp::parse_iso("2026-01-01T00:00:00Z");
  io::ManualClock clock(start, /*auto_advance=*/true);
  testing::MemoryRawSink sink;
  auto report = replay_capture(capture, {"binance", 10.0}, clock, sink);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->messages, 265u);
  EXPECT_EQ(report->by_dataset.at("ws_depth"), 177u);
  EXPECT_EQ(sink.envelopes().size(), 265u);
  EXPECT_EQ(clock.now().micros() - start.micros(), span / 10);

  io::ManualClock fixed(start, true);
  testing::MemoryRawSink all_at_once;
  ASSERT_TRUE(replay_capture(capture, {"binance", 0}, fixed, all_at_once));
  EXPECT_EQ(fixed.now(), start);
  EXPECT_EQ(all_at_once.envelopes().size(), 265u);
}

}  // namespace
}  // namespace cryptolake::sources::binance
