// `stream collect` from a recorded capture into the bus: every message lands once, byte for byte,
// keyed so one symbol's messages share a partition.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include <simdjson.h>

#include "bus/local_log.hpp"
#include "io/manual_clock.hpp"
#include "sources/binance/ws_capture.hpp"
#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::testing {
namespace {

namespace fs = std::filesystem;

const char* kCapture = "cryptofeed_binance_spot_ws_capture_2021-10-12.txt";

std::vector<bus::Record> read_topic(const fs::path& log, const std::string& topic) {
  io::ManualClock clock(*core::Timestamp::parse_iso("2026-01-01T00:00:00Z"));
  bus::LocalLogBus bus(log, {}, clock);
  auto consumer = bus.consumer("test-reader", {topic});
  EXPECT_TRUE(consumer) << consumer.error().message;
  std::vector<bus::Record> all;
  for (;;) {
    auto batch = (*consumer)->poll(10000, std::chrono::milliseconds(20));
    EXPECT_TRUE(batch);
    if (!batch || batch->empty()) return all;
    std::move(batch->begin(), batch->end(), std::back_inserter(all));
  }
}

TEST(StreamCollect, AReplayedCaptureLandsEveryMessageOnceAsReceived) {
  TempDir dir;
  const fs::path lake = dir.path() / "lake";
  const std::string path = fixture_path(kCapture);
  const ProcessResult run = run_cryptolake({"stream", "collect", "--source", "replay:" + path, "--speed", "max", "--lake", lake.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("265 messages"), std::string::npos) << run.err;

  const std::vector<bus::Record> records = read_topic(lake / "_log", "cryptolake.raw");
  ASSERT_EQ(records.size(), 265u);
  // The capture's messages, each exactly once, as the payload of its envelope.
  const std::string text = read_fixture(kCapture);
  const auto capture = *sources::binance::read_capture(text);
  std::multiset<std::string> expected, got;
  for (const auto& m : capture.messages) expected.insert(std::string(m.text));
  simdjson::dom::parser parser;
  std::map<std::string, std::set<int32_t>> partitions_of_key;
  for (const bus::Record& r : records) {
    simdjson::dom::object envelope;
    ASSERT_FALSE(parser.parse(r.value).get(envelope)) << r.value.substr(0, 200);
    // The payload is the envelope's last field: its bytes, exactly.
    const size_t at = r.value.find(",\"payload\":");
    ASSERT_NE(at, std::string::npos);
    got.insert(r.value.substr(at + 11, r.value.size() - at - 12));
    std::string_view dataset, symbol;
    ASSERT_FALSE(envelope["dataset"].get_string().get(dataset));
    ASSERT_FALSE(envelope["request"]["symbol"].get_string().get(symbol));
    EXPECT_EQ(r.key, fmt::format("binance/{}/{}", dataset, symbol));
    partitions_of_key[r.key].insert(r.partition);
  }
  EXPECT_EQ(got, expected);
  for (const auto& [key, partitions] : partitions_of_key) EXPECT_EQ(partitions.size(), 1u) << key;

  const ProcessResult refused = run_cryptolake({"stream", "collect", "--source", "replay:" + (dir.path() / "none.txt").string(), "--lake", lake.string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("cannot read"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace cryptolake::testing
