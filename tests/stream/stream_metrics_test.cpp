// What the stream metrics count, through a real collect and landing on the local log.
#include "stream/stream_metrics.hpp"

#include <gtest/gtest.h>

#include "bus/local_log.hpp"
#include "io/manual_clock.hpp"
#include "lake/local_object_store.hpp"
#include "stream/stream_sources.hpp"
#include "support/fixtures.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::stream {
namespace {

// The value of one sample line of the exposition text ("name{labels} value"), or -1.
double sample(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  const size_t start = at + series.size() + 2;
  return std::stod(text.substr(start, text.find('\n', start) - start));
}

TEST(StreamMetrics, ACaptureThroughTheBusIsCountedInOutLagAndLatency) {
  testing::TempDir dir;
  io::ManualClock clock(*core::Timestamp::parse_iso("2026-01-01T00:00:00Z"));
  bus::LocalLogBus bus(dir.path() / "lake" / "_log", {.partitions = 2}, clock);
  lake::LocalObjectStore store(dir.path() / "lake");
  const std::string text = testing::read_fixture("cryptofeed_binance_spot_ws_capture_2021-10-12.txt");
  const auto capture = *sources::binance::read_capture(text);
  StreamMetrics metrics;
  ASSERT_TRUE(collect(replay_source(capture, {"binance", 0}, clock), clock, bus, "cryptolake", {}, &metrics));
  EXPECT_EQ(metrics.totals().in, 265u);
  EXPECT_EQ(metrics.totals().last_event, capture.messages.back().received_at);

  // Landing happens 1.5 s (on the clock) after the records entered the bus.
  clock.advance(1'500'000);
  LandOptions options;
  options.exit_when_idle_ms = 200;
  options.metrics = &metrics;
  options.clock = &clock;
  ASSERT_TRUE(land_stream(bus, store, options));
  const std::string exposition = metrics.prometheus();
  EXPECT_EQ(sample(exposition, R"(cryptolake_stream_messages_in_total{source="binance",dataset="ws_depth"})"), 177);
  EXPECT_EQ(sample(exposition, R"(cryptolake_stream_messages_in_total{source="binance",dataset="ws_bookticker"})"), 84);
  EXPECT_EQ(sample(exposition, R"(cryptolake_stream_records_out_total{dataset="ws_depth"})"), 177);
  EXPECT_EQ(sample(exposition, R"(cryptolake_stream_records_out_total{dataset="ws_kline"})"), 2);
  EXPECT_EQ(sample(exposition, R"(cryptolake_stream_consumer_lag{topic="cryptolake.raw",partition="0"})"), 0);
  EXPECT_EQ(sample(exposition, R"(cryptolake_stream_consumer_lag{topic="cryptolake.raw",partition="1"})"), 0);
  // Every record took 1.5 s: in the 2 s bucket, not the 1 s one.
  EXPECT_EQ(sample(exposition, R"(cryptolake_stream_event_to_curated_seconds_bucket{le="1"})"), 0);
  EXPECT_EQ(sample(exposition, R"(cryptolake_stream_event_to_curated_seconds_bucket{le="2"})"), 265);
  EXPECT_EQ(sample(exposition, R"(cryptolake_stream_event_to_curated_seconds_bucket{le="+Inf"})"), 265);
  EXPECT_DOUBLE_EQ(sample(exposition, "cryptolake_stream_event_to_curated_seconds_sum"), 265 * 1.5);
  EXPECT_EQ(metrics.totals().out, 265u);
  EXPECT_EQ(metrics.totals().p99_seconds, 2);
}

TEST(StreamMetrics, LagIsEndOffsetMinusCommittedAndLabelsAreEscaped) {
  StreamMetrics metrics;
  metrics.lag("t", 3, 42);
  metrics.collected("odd\"source", "ds\\x", 1);
  metrics.reconnects(4);
  const std::string text = metrics.prometheus();
  EXPECT_EQ(sample(text, R"(cryptolake_stream_consumer_lag{topic="t",partition="3"})"), 42);
  EXPECT_EQ(sample(text, R"(cryptolake_stream_messages_in_total{source="odd\"source",dataset="ds\\x"})"), 1);
  EXPECT_EQ(sample(text, "cryptolake_stream_reconnects_total"), 4);
  EXPECT_EQ(metrics.totals().lag, 42);
  EXPECT_EQ(metrics.totals().p99_seconds, 0);
}

}  // namespace
}  // namespace cryptolake::stream
