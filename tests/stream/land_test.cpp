#include "stream/land.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "bus/kafka_bus.hpp"
#include "bus/local_log.hpp"
#include "io/manual_clock.hpp"
#include "lake/layout.hpp"
#include "lake/local_object_store.hpp"
#include "lake/raw_zone.hpp"
#include "stream/stream_sources.hpp"
#include "support/fixtures.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::stream {
namespace {

namespace fs = std::filesystem;

// Every envelope line of the raw zone's batches of these datasets.
std::multiset<std::string> raw_lines(const lake::ObjectStore& store, const std::vector<std::string>& datasets) {
  lake::RawZoneReader reader(store);
  std::multiset<std::string> lines;
  for (const std::string& dataset : datasets) {
    const auto keys = *reader.list_batches("binance", dataset);
    for (const std::string& key : keys) {
      const std::string text = *reader.read_batch(key);
      for (size_t pos = 0; pos < text.size();) {
        const size_t end = text.find('\n', pos);
        lines.insert(text.substr(pos, end - pos));
        pos = end + 1;
      }
    }
  }
  return lines;
}

const std::vector<std::string> kDatasets = {"ws_depth", "ws_bookticker", "ws_kline", "ws_aggtrade"};

class Landing : public ::testing::TestWithParam<std::string> {};

// The spot capture through the bus into the raw zone: its 265 messages, each once, as the
// envelope lines the bus carried; a second lander of the group finds nothing left.
TEST_P(Landing, ACaptureLandsEveryMessageOnce) {
  testing::TempDir dir;
  io::ManualClock clock(*core::Timestamp::parse_iso("2026-01-01T00:00:00Z"), true);
  std::unique_ptr<bus::Bus> bus;
  if (GetParam() == "local") {
    bus = std::make_unique<bus::LocalLogBus>(dir.path() / "lake" / "_log", bus::LocalLogOptions{}, clock);
  } else {
    bus = std::make_unique<bus::KafkaBus>(bus::KafkaOptions{}, *bus::MockCluster::start(3));
  }
  lake::LocalObjectStore store(dir.path() / "lake");
  const std::string text = testing::read_fixture("cryptofeed_binance_spot_ws_capture_2021-10-12.txt");
  const auto capture = *sources::binance::read_capture(text);
  ASSERT_TRUE(collect(replay_source(capture, {"binance", 0}, clock), clock, *bus, "cryptolake"));

  LandOptions options;
  options.max_records = 50;  // several micro-batches
  options.exit_when_idle_ms = GetParam() == "local" ? 300 : 8000;
  auto report = land_stream(*bus, store, options);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->records, 265u);
  EXPECT_GE(report->batches, 265u / 50);

  std::multiset<std::string> expected;
  for (const auto& message : capture.messages) expected.insert(core::envelope_line(sources::binance::capture_envelope(message, "binance", capture.url)));
  EXPECT_EQ(raw_lines(store, kDatasets), expected);

  auto again = land_stream(*bus, store, options);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->records, 0u);
  EXPECT_EQ(raw_lines(store, kDatasets).size(), 265u);
}

INSTANTIATE_TEST_SUITE_P(Buses, Landing, ::testing::Values("local", "kafka_mock"),
                         [](const ::testing::TestParamInfo<std::string>& param) { return param.param; });

// Ten messages of one stream in a one-partition topic; returns their envelope lines.
std::vector<std::string> produce_ten(bus::Bus& bus, io::Clock& clock) {
  std::string text;
  for (int i = 0; i < 10; ++i) {
    text += fmt::format("{}.5: {{\"stream\":\"btcusdt@trade\",\"data\":{{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"t\":{}}}}}\n", 1700000000 + i, i);
  }
  const auto capture = *sources::binance::read_capture(text);
  EXPECT_TRUE(collect(replay_source(capture, {"binance", 0}, clock), clock, bus, "cryptolake"));
  std::vector<std::string> lines;
  for (const auto& m : capture.messages) lines.push_back(core::envelope_line(sources::binance::capture_envelope(m, "binance", "")));
  return lines;
}

// Those ten in a one-partition local log, an empty lake beside it.
struct TenRecords {
  testing::TempDir dir;
  io::ManualClock clock{*core::Timestamp::parse_iso("2026-01-01T00:00:00Z"), true};
  bus::LocalLogBus bus{dir.path() / "_log", {.partitions = 1}, clock};
  lake::LocalObjectStore store{dir.path() / "lake"};
  std::vector<std::string> lines = produce_ten(bus, clock);
};

// A lander killed after writing its intent and part of the batches: the next one removes what
// was written (it is read again from the committed offset) and lands it once.
TEST(Landing, ALandingCutShortIsUndoneAndLandedAgainOnce) {
  TenRecords ten;
  auto& [dir, clock, bus, store, lines] = ten;
  // The first six landed as a batch, the intent still says "landing": the commit never came.
  std::string six;
  for (int i = 0; i < 6; ++i) six += lines[static_cast<size_t>(i)] + "\n";
  lake::RawZoneWriter raw(store);
  const std::string partial = *raw.land_lines("binance", "ws_trade", core::Timestamp::from_micros(1700000000500000), six);
  ASSERT_TRUE(store.put(lake::layout::landing_intent_key("lander", "cryptolake.raw", 0), fmt::format("landing\t0\t10\n{}\n", partial)));

  auto report = land_stream(bus, store, {.exit_when_idle_ms = 200});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->undone, 1u);
  EXPECT_EQ(report->records, 10u);
  EXPECT_FALSE(store.get(partial));
  EXPECT_EQ(raw_lines(store, {"ws_trade"}), std::multiset<std::string>(lines.begin(), lines.end()));
  EXPECT_FALSE(store.get(lake::layout::landing_intent_key("lander", "cryptolake.raw", 0)));
}

// A lander killed after landing everything but before committing: the next one commits what the
// intent names and skips those records instead of landing them twice.
TEST(Landing, ALandingCompleteButUncommittedIsCommittedNotRepeated) {
  TenRecords ten;
  auto& [dir, clock, bus, store, lines] = ten;
  std::string first_seven;
  for (int i = 0; i < 7; ++i) first_seven += lines[static_cast<size_t>(i)] + "\n";
  lake::RawZoneWriter raw(store);
  const std::string landed = *raw.land_lines("binance", "ws_trade", core::Timestamp::from_micros(1700000000500000), first_seven);
  ASSERT_TRUE(store.put(lake::layout::landing_intent_key("lander", "cryptolake.raw", 0), fmt::format("landed\t0\t7\n{}\n", landed)));

  auto report = land_stream(bus, store, {.exit_when_idle_ms = 200});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->finished, 1u);
  EXPECT_EQ(report->records, 3u);  // only the three after the interrupted landing
  EXPECT_TRUE(store.get(landed));
  EXPECT_EQ(raw_lines(store, {"ws_trade"}), std::multiset<std::string>(lines.begin(), lines.end()));
}

// A partition's records beyond raw_batch_bytes land as several raw batches: each cut once it
// holds that much, every line once, in the bus's order.
TEST(Landing, RecordsBeyondTheBatchSizeLandAsSeveralBatchesInOrder) {
  TenRecords ten;
  auto& [dir, clock, bus, store, lines] = ten;
  LandOptions options{.max_records = 100, .exit_when_idle_ms = 200};
  options.raw_batch_bytes = lines[0].size() + lines[1].size() + 2 + 1;  // a third line goes in, a fourth does not
  auto report = land_stream(bus, store, options);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->records, 10u);
  EXPECT_EQ(report->batches, 1u);
  EXPECT_EQ(report->raw_objects, 4u);  // 3 + 3 + 3 + 1 lines

  lake::RawZoneReader reader(store);
  const auto keys = *reader.list_batches("binance", "ws_trade");  // sorted: named by first record's second
  ASSERT_EQ(keys.size(), 4u);
  std::string landed, expected;
  for (const std::string& key : keys) landed += *reader.read_batch(key);
  for (const std::string& line : lines) expected += line + "\n";
  EXPECT_EQ(landed, expected);
}

// Records produced into the topic so far (the sum of its partitions' end offsets).
int64_t records_in(bus::Bus& bus) {
  const auto ends = bus.end_offsets("cryptolake.raw");
  EXPECT_TRUE(ends) << ends.error().message;
  int64_t produced = 0;
  if (ends) {
    for (const bus::Position& end : *ends) produced += end.offset;
  }
  return produced;
}

// `stream run` with a source that can wait: the source never gets more than max_ahead records
// (and the batch it is landing) ahead of a slow lander, and everything still lands once. The same
// run without the bound lets the source run ahead by nearly all of it.
TEST(RunStream, ASourceThatCanWaitStaysWithinItsLeadOfTheLander) {
  std::string text;
  constexpr size_t kMessages = 3000;
  for (size_t i = 0; i < kMessages; ++i) {
    text += fmt::format("{}.5: {{\"stream\":\"btcusdt@trade\",\"data\":{{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"t\":{}}}}}\n", 1700000000 + i, i);
  }
  const auto capture = *sources::binance::read_capture(text);
  const auto largest_lead = [&](size_t max_ahead) {
    testing::TempDir dir;
    io::ManualClock clock(*core::Timestamp::parse_iso("2026-01-01T00:00:00Z"), true);
    bus::LocalLogBus bus(dir.path() / "_log", {.partitions = 2}, clock);
    lake::LocalObjectStore store(dir.path() / "lake");
    LandOptions options;
    options.max_records = 100;
    options.max_wait_ms = 20;
    options.exit_when_idle_ms = 300;
    options.curate = [] {  // a slow lander
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return core::Status{};
    };
    int64_t lead = 0;
    const LandProgress progress = [&](const LandReport& landed) {
      lead = std::max(lead, records_in(bus) - static_cast<int64_t>(landed.records));
    };
    auto run = run_stream(replay_source(capture, {"binance", 0}, clock), options, clock, bus, store, {}, progress, max_ahead);
    EXPECT_TRUE(run) << run.error().message;
    if (run) {
      EXPECT_EQ(run->landed.records, kMessages);
    }
    EXPECT_EQ(raw_lines(store, {"ws_trade"}).size(), kMessages);
    return lead;
  };
  EXPECT_LE(largest_lead(200), 200 + 1);  // the replay lands a message at a time
  EXPECT_GT(largest_lead(0), 1000);
}

// A source held back by a lander that lands nothing (another member of the group owns what it
// waits for) waits only until the lander has stalled that long, then lands the rest.
TEST(RunStream, ASourceWaitingOnAStalledLanderGoesOn) {
  testing::TempDir dir;
  io::ManualClock clock(*core::Timestamp::parse_iso("2026-01-01T00:00:00Z"), true);
  bus::LocalLogBus bus(dir.path() / "_log", {}, clock);
  std::string text;
  for (int i = 0; i < 100; ++i) text += fmt::format("{}.5: {{\"stream\":\"btcusdt@trade\",\"data\":{{\"t\":{}}}}}\n", 1700000000 + i, i);
  const auto capture = *sources::binance::read_capture(text);
  const std::atomic<size_t> landed{0};
  const std::atomic<bool> landing_over{false};
  const Backpressure held{10, &landed, &landing_over, std::chrono::milliseconds(100)};
  const auto start = std::chrono::steady_clock::now();
  auto report = collect(replay_source(capture, {"binance", 0}, clock), clock, bus, "cryptolake", {}, nullptr, &held);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));  // it did wait
  EXPECT_EQ(records_in(bus), 100);
}

}  // namespace
}  // namespace cryptolake::stream
