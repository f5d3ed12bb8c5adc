// The bus contract, run against both implementations: the local log and Kafka (librdkafka's mock
// cluster with 3 brokers). What one promises, the other must keep.
#include "bus/bus.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "bus/kafka_bus.hpp"
#include "bus/local_log.hpp"
#include "io/manual_clock.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::bus {
namespace {

using std::chrono::milliseconds;

struct Fixture {
  testing::TempDir dir;
  io::ManualClock clock{*core::Timestamp::parse_iso("2024-03-01T00:00:00Z")};
  std::unique_ptr<Bus> bus;
};

std::unique_ptr<Fixture> make(std::string_view kind) {
  auto f = std::make_unique<Fixture>();
  if (kind == "local") {
    f->bus = std::make_unique<LocalLogBus>(f->dir.path() / "_log", LocalLogOptions{}, f->clock);
  } else {
    auto cluster = MockCluster::start(3);
    if (!cluster) return nullptr;
    f->bus = std::make_unique<KafkaBus>(KafkaOptions{}, std::move(*cluster));
  }
  return f;
}

// Reads until `count` records came or `attempts` polls found nothing new.
std::vector<Record> drain(Consumer& consumer, size_t count, int attempts = 160) {
  std::vector<Record> all;
  for (int idle = 0; all.size() < count && idle < attempts;) {
    auto batch = consumer.poll(10000, milliseconds(250));
    EXPECT_TRUE(batch) << batch.error().message;
    if (!batch || batch->empty()) {
      ++idle;
      continue;
    }
    std::move(batch->begin(), batch->end(), std::back_inserter(all));
  }
  return all;
}

// The next offset of each partition after these records.
std::vector<Position> next_positions(const std::vector<Record>& records) {
  std::map<std::pair<std::string, int32_t>, int64_t> next;
  for (const Record& r : records) next[{r.topic, r.partition}] = std::max(next[{r.topic, r.partition}], r.offset + 1);
  std::vector<Position> positions;
  for (const auto& [where, offset] : next) positions.push_back({where.first, where.second, offset});
  return positions;
}

class BusContract : public ::testing::TestWithParam<std::string> {};

// Keyed records: every one comes back once, each key's records in the order produced and all in
// one partition; values and keys byte for byte (binary too).
TEST_P(BusContract, KeyedRecordsComeBackOnceInOrderPerKey) {
  auto f = make(GetParam());
  ASSERT_TRUE(f && f->bus);
  const std::string topic = "cryptolake.klines";
  ASSERT_TRUE(f->bus->create_topics({topic}));
  auto producer = f->bus->producer();
  ASSERT_TRUE(producer) << producer.error().message;
  const std::vector<std::string> keys = {"BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT", "DOGE-USDT"};
  std::map<std::string, std::vector<std::string>> sent;
  for (int i = 0; i < 2000; ++i) {
    const std::string& key = keys[static_cast<size_t>(i) % keys.size()];
    std::string value = fmt::format("{{\"i\":{},\"k\":\"{}\"}}", i, key);
    if (i % 97 == 0) value += std::string("\0\xff\n", 3);  // values are bytes, not lines
    ASSERT_TRUE((*producer)->produce(topic, key, value));
    sent[key].push_back(value);
  }
  auto flushed = (*producer)->flush();
  ASSERT_TRUE(flushed) << flushed.error().message;

  auto consumer = f->bus->consumer("landers", {topic});
  ASSERT_TRUE(consumer) << consumer.error().message;
  const std::vector<Record> got = drain(**consumer, 2000);
  ASSERT_EQ(got.size(), 2000u);
  std::map<std::string, std::vector<std::string>> received;
  std::map<std::string, std::set<int32_t>> partitions;
  for (const Record& r : got) {
    EXPECT_EQ(r.topic, topic);
    received[r.key].push_back(r.value);
    partitions[r.key].insert(r.partition);
  }
  EXPECT_EQ(received, sent);
  for (const auto& [key, where] : partitions) EXPECT_EQ(where.size(), 1u) << key;

  auto ends = f->bus->end_offsets(topic);
  ASSERT_TRUE(ends) << ends.error().message;
  int64_t total = 0;
  for (const Position& p : *ends) total += p.offset;
  EXPECT_EQ(total, 2000);
}

// A group resumes where it committed, and only there: records after the commit come again to the
// next member, records before it never; another group reads everything on its own.
TEST_P(BusContract, AGroupResumesFromItsCommittedOffsets) {
  auto f = make(GetParam());
  ASSERT_TRUE(f && f->bus);
  const std::string topic = "cryptolake.trades";
  ASSERT_TRUE(f->bus->create_topics({topic}));
  auto producer = f->bus->producer();
  ASSERT_TRUE(producer);
  for (int i = 0; i < 300; ++i) ASSERT_TRUE((*producer)->produce(topic, fmt::format("S{}", i % 7), std::to_string(i)));
  ASSERT_TRUE((*producer)->flush());

  std::vector<Record> first_part;
  {
    auto consumer = f->bus->consumer("g", {topic});
    ASSERT_TRUE(consumer) << consumer.error().message;
    const std::vector<Record> all = drain(**consumer, 300);
    ASSERT_EQ(all.size(), 300u);
    // Commit half of each partition's records.
    std::map<int32_t, std::vector<Record>> by_partition;
    for (const Record& r : all) by_partition[r.partition].push_back(r);
    for (auto& [p, records] : by_partition) first_part.insert(first_part.end(), records.begin(), records.begin() + static_cast<std::ptrdiff_t>(records.size() / 2));
    auto committed = (*consumer)->commit(next_positions(first_part));
    ASSERT_TRUE(committed) << committed.error().message;
    auto positions = (*consumer)->committed();
    ASSERT_TRUE(positions) << positions.error().message;
    EXPECT_EQ(*positions, next_positions(first_part));
  }
  auto again = f->bus->consumer("g", {topic});
  ASSERT_TRUE(again) << again.error().message;
  const std::vector<Record> rest = drain(**again, 300 - first_part.size());
  EXPECT_EQ(rest.size(), 300 - first_part.size());
  std::set<std::string> seen;
  for (const Record& r : first_part) seen.insert(r.value);
  for (const Record& r : rest) EXPECT_TRUE(seen.insert(r.value).second) << "read twice: " << r.value;
  EXPECT_EQ(seen.size(), 300u);

  auto other = f->bus->consumer("another-group", {topic});
  ASSERT_TRUE(other);
  EXPECT_EQ(drain(**other, 300).size(), 300u);
}

INSTANTIATE_TEST_SUITE_P(Implementations, BusContract, ::testing::Values("local", "kafka_mock"),
                         [](const ::testing::TestParamInfo<std::string>& param) { return param.param; });

}  // namespace
}  // namespace cryptolake::bus

namespace cryptolake::bus {
namespace {

// A broker going down while records are produced: the idempotent producer retries once it is
// back, flush() returns only when every record is acknowledged, and each arrives once, in order.
TEST(KafkaBus, ABrokerDownAndBackLosesAndDuplicatesNothing) {
  auto cluster = MockCluster::start(3);
  ASSERT_TRUE(cluster) << cluster.error().message;
  MockCluster* mock = cluster->get();
  KafkaBus bus(KafkaOptions{}, std::move(*cluster));
  ASSERT_TRUE(bus.create_topics({"cryptolake.quotes"}));
  auto producer = bus.producer();
  ASSERT_TRUE(producer);
  const auto produce = [&](int from, int to) {
    for (int i = from; i < to; ++i) ASSERT_TRUE((*producer)->produce("cryptolake.quotes", fmt::format("K{}", i % 5), std::to_string(i)));
  };
  produce(0, 100);
  ASSERT_TRUE((*producer)->flush());  // connected, leaders known
  ASSERT_TRUE(mock->set_broker_down(1, true));
  produce(100, 400);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // sends to broker 1 fail meanwhile
  ASSERT_TRUE(mock->set_broker_down(1, false));
  produce(400, 500);
  auto flushed = (*producer)->flush();
  ASSERT_TRUE(flushed) << flushed.error().message;
  auto consumer = bus.consumer("g", {"cryptolake.quotes"});
  ASSERT_TRUE(consumer);
  const std::vector<Record> got = drain(**consumer, 500);
  ASSERT_EQ(got.size(), 500u);
  std::map<std::string, int> last;
  for (const Record& r : got) {
    const int i = std::stoi(r.value);
    EXPECT_EQ(r.key, fmt::format("K{}", i % 5));
    auto [it, first] = last.try_emplace(r.key, i);
    if (!first) {
      EXPECT_GT(i, it->second) << r.key;
    }
    it->second = i;
  }
}

}  // namespace
}  // namespace cryptolake::bus
