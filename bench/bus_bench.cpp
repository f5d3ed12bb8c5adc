#include "bench/bus_bench.hpp"
#include "bench/bench_support.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "bus/kafka_bus.hpp"
#include "bus/local_log.hpp"
#include "io/real/system_clock.hpp"

namespace cryptolake::bench {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;


// A closed 1-minute kline as Binance streams it, ~190 bytes; keys are 200 symbols.
std::string value_of(int64_t i) {
  return fmt::format(R"({{"e":"kline","E":{},"s":"S{:03d}USDT","k":{{"t":{},"i":"1m","o":"{}.10","c":"{}.20","h":"{}.30","l":"{}.00","v":"12.53100000","q":"181234.5","n":{},"x":true,"V":"6.1"}}}})",
                     1700000000000 + i, i % 200, 1700000000000 + i * 60000, i % 997, i % 991, i % 983, i % 977, i % 100);
}
std::string key_of(int64_t i) { return fmt::format("S{:03d}USDT", i % 200); }

// Both sides run in chunks of `chunk` records: produce a chunk (flushing every `batch`, each
// flush durable), then consume it. librdkafka's mock cluster keeps only a few MB per partition,
// so a whole million produced first would be trimmed before it is read.
struct Timings {
  double produce = 0;
  double consume = 0;  // from the consumer's creation: a Kafka group join is part of the cost
};

core::Result<Timings> produce_and_consume(bus::Bus& bus, const std::string& topic, int64_t n, int64_t chunk, int64_t batch) {
  Timings t;
  TRY_ASSIGN(auto producer, bus.producer());
  std::vector<std::string> values(1000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = value_of(static_cast<int64_t>(i));
  auto start = Clock::now();
  TRY_ASSIGN(auto consumer, bus.consumer("bench", {topic}));
  t.consume += seconds_since(start);
  for (int64_t from = 0; from < n; from += chunk) {
    const int64_t to = std::min(n, from + chunk);
    start = Clock::now();
    for (int64_t i = from; i < to; ++i) {
      TRY(producer->produce(topic, key_of(i), values[static_cast<size_t>(i) % values.size()]));
      if ((i + 1) % batch == 0) TRY(producer->flush());
    }
    TRY(producer->flush());
    t.produce += seconds_since(start);
    start = Clock::now();
    int64_t got = 0;
    for (int idle = 0; got < to - from && idle < 100;) {
      TRY_ASSIGN(const auto records, consumer->poll(100000, std::chrono::milliseconds(200)));
      got += static_cast<int64_t>(records.size());
      idle = records.empty() ? idle + 1 : 0;
    }
    t.consume += seconds_since(start);
    if (got != to - from) return core::fail(core::ErrorCode::corrupt_data, "{}: consumed {} of records {}..{}", topic, got, from, to - 1);
  }
  return t;
}

// kcat on the same cluster and chunks: `kcat -P` per chunk, then one `kcat -C` per partition
// reading exactly that chunk's offsets, in parallel.
core::Result<Timings> kcat_produce_and_consume(bus::Bus& bus, const std::string& bootstraps, const std::string& topic, int64_t n,
                                               int64_t chunk, const fs::path& work) {
  Timings t;
  const fs::path input = work / "kcat-chunk.txt";
  for (int64_t from = 0; from < n; from += chunk) {
    const int64_t to = std::min(n, from + chunk);
    {
      std::ofstream out(input, std::ios::binary);
      for (int64_t i = from; i < to; ++i) out << key_of(i) << '\t' << value_of(i % 1000) << '\n';
    }
    TRY_ASSIGN(const auto before, bus.end_offsets(topic));
    auto start = Clock::now();
    if (std::system(fmt::format("kcat -P -b {} -X enable.idempotence=true -X acks=all -t {} -K '\t' < {}", bootstraps, topic,
                                input.string()).c_str()) != 0) {
      return core::fail(core::ErrorCode::unavailable, "kcat -P failed");
    }
    t.produce += seconds_since(start);
    TRY_ASSIGN(const auto after, bus.end_offsets(topic));
    std::string readers;
    for (size_t p = 0; p < after.size(); ++p) {
      const int64_t count = after[p].offset - before[p].offset;
      if (count > 0) {
        readers += fmt::format("kcat -C -b {} -t {} -p {} -o {} -c {} -e -q > /dev/null & ", bootstraps, topic, after[p].partition,
                               before[p].offset, count);
      }
    }
    start = Clock::now();
    if (std::system((readers + "wait").c_str()) != 0) return core::fail(core::ErrorCode::unavailable, "kcat -C failed");
    t.consume += seconds_since(start);
  }
  return t;
}

void line(std::string_view what, double seconds, int64_t n) {
  fmt::print("{:<40} {:>8.2f} s {:>12.0f} records/s\n", what, seconds, static_cast<double>(n) / seconds);
}

}  // namespace

core::Status bench_bus(const BusBenchOptions& options) {
  const int64_t n = options.records;
  const fs::path work = options.work.empty() ? fs::temp_directory_path() / fmt::format("cryptolake-bench-bus-{}", ::getpid()) : fs::path(options.work);
  std::error_code ec;
  fs::remove_all(work, ec);
  fs::create_directories(work, ec);
  fmt::print("{} keyed records of ~{} bytes, 200 keys, 4 partitions per topic\n\n", n, value_of(0).size());

  const int64_t chunk = 100'000;
  io::SystemClock clock;
  bus::LocalLogBus local(work / "_log", {}, clock);
  TRY_ASSIGN(const Timings ours_local, produce_and_consume(local, "bench.local", n, chunk, 10000));
  line("local log produce (fsync per 10k batch)", ours_local.produce, n);
  line("local log consume", ours_local.consume, n);

  TRY_ASSIGN(auto cluster, bus::MockCluster::start(options.brokers));
  const std::string bootstraps = cluster->bootstraps();
  bus::KafkaBus kafka(bus::KafkaOptions{}, std::move(cluster));
  TRY(kafka.create_topics({"bench.kafka", "bench.kcat"}));
  TRY_ASSIGN(const Timings ours_kafka, produce_and_consume(kafka, "bench.kafka", n, chunk, chunk));
  line(fmt::format("kafka produce (mock, {} brokers)", options.brokers), ours_kafka.produce, n);
  line("kafka consume (incl. group join)", ours_kafka.consume, n);

  if (std::system("command -v kcat >/dev/null 2>&1") != 0) {
    fmt::print("\nkcat not found: the peer is skipped (Debian: apt install kcat)\n");
  } else {
    TRY_ASSIGN(const Timings peer, kcat_produce_and_consume(kafka, bootstraps, "bench.kcat", n, chunk, work));
    line("kcat -P (same cluster, same chunks)", peer.produce, n);
    line("kcat -C (one per partition, same chunks)", peer.consume, n);
    fmt::print("\nratio {:.2f}× kafka producer vs kcat -P (kcat time / cryptolake time)\n", peer.produce / ours_kafka.produce);
    fmt::print("ratio {:.2f}× kafka consumer vs kcat -C\n", peer.consume / ours_kafka.consume);
    fmt::print("ratio {:.2f}× local log produce vs kcat -P\n", peer.produce / ours_local.produce);
    fmt::print("ratio {:.2f}× local log consume vs kcat -C\n", peer.consume / ours_local.consume);
  }
  if (options.work.empty()) fs::remove_all(work, ec);
  return {};
}

}  // namespace cryptolake::bench
