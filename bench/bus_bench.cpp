#include "bench/bus_bench.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "bus/kafka_bus.hpp"
#include "bus/local_log.hpp"
#include "io/real/system_clock.hpp"

namespace cryptolake::bench {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A closed 1-minute kline as Binance streams it, ~190 bytes; keys are 200 symbols.
std::string value_of(int64_t i) {
  return fmt::format(R"({{"e":"kline","E":{},"s":"S{:03d}USDT","k":{{"t":{},"i":"1m","o":"{}.10","c":"{}.20","h":"{}.30","l":"{}.00","v":"12.5","n":{},"x":true}}}})",
                     1700000000000 + i, i % 200, 1700000000000 + i * 60000, i % 997, i % 991, i % 983, i % 977, i % 100);
}
std::string key_of(int64_t i) { return fmt::format("S{:03d}USDT", i % 200); }

// Produces `n` records, flushing every `batch` (each flush: durable); returns seconds.
core::Result<double> produce(bus::Bus& bus, const std::string& topic, int64_t n, int64_t batch) {
  TRY_ASSIGN(auto producer, bus.producer());
  std::vector<std::string> values(1000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = value_of(static_cast<int64_t>(i));
  const auto start = Clock::now();
  for (int64_t i = 0; i < n; ++i) {
    TRY(producer->produce(topic, key_of(i), values[static_cast<size_t>(i) % values.size()]));
    if ((i + 1) % batch == 0) TRY(producer->flush());
  }
  TRY(producer->flush());
  return seconds_since(start);
}

// Consumes `n` records as a new group; returns seconds (from the consumer's creation: a Kafka
// group join is part of the cost).
core::Result<double> consume(bus::Bus& bus, const std::string& topic, int64_t n) {
  const auto start = Clock::now();
  TRY_ASSIGN(auto consumer, bus.consumer("bench", {topic}));
  int64_t got = 0;
  for (int idle = 0; got < n && idle < 100;) {
    TRY_ASSIGN(const auto records, consumer->poll(100000, std::chrono::milliseconds(200)));
    got += static_cast<int64_t>(records.size());
    idle = records.empty() ? idle + 1 : 0;
  }
  if (got != n) return core::fail(core::ErrorCode::corrupt_data, "consumed {} of {} records", got, n);
  return seconds_since(start);
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

  io::SystemClock clock;
  bus::LocalLogBus local(work / "_log", {}, clock);
  TRY_ASSIGN(const double local_produce, produce(local, "bench.local", n, 10000));
  line("local log produce (fsync per 10k batch)", local_produce, n);
  TRY_ASSIGN(const double local_consume, consume(local, "bench.local", n));
  line("local log consume", local_consume, n);

  TRY_ASSIGN(auto cluster, bus::MockCluster::start(options.brokers));
  const std::string bootstraps = cluster->bootstraps();
  bus::KafkaBus kafka(bus::KafkaOptions{}, std::move(cluster));
  TRY(kafka.create_topics({"bench.kafka", "bench.kcat"}));
  TRY_ASSIGN(const double kafka_produce, produce(kafka, "bench.kafka", n, n));
  line(fmt::format("kafka produce (mock, {} brokers)", options.brokers), kafka_produce, n);
  TRY_ASSIGN(const double kafka_consume, consume(kafka, "bench.kafka", n));
  line("kafka consume (incl. group join)", kafka_consume, n);

  if (std::system("command -v kcat >/dev/null 2>&1") != 0) {
    fmt::print("\nkcat not found: the peer is skipped (Debian: apt install kcat)\n");
  } else {
    const fs::path input = work / "kcat-input.txt";
    {
      std::ofstream out(input, std::ios::binary);
      for (int64_t i = 0; i < n; ++i) out << key_of(i) << '\t' << value_of(i % 1000) << '\n';
    }
    const std::string common = fmt::format("-b {} -X enable.idempotence=true -X acks=all", bootstraps);
    auto start = Clock::now();
    if (std::system(fmt::format("kcat -P {} -t bench.kcat -K '\t' < {}", common, input.string()).c_str()) != 0) {
      return core::fail(core::ErrorCode::unavailable, "kcat -P failed");
    }
    const double kcat_produce = seconds_since(start);
    line("kcat -P (same mock cluster)", kcat_produce, n);
    start = Clock::now();
    if (std::system(fmt::format("kcat -C -b {} -t bench.kcat -o beginning -e -q > /dev/null", bootstraps).c_str()) != 0) {
      return core::fail(core::ErrorCode::unavailable, "kcat -C failed");
    }
    const double kcat_consume = seconds_since(start);
    line("kcat -C (same mock cluster)", kcat_consume, n);
    fmt::print("\nratio {:.2f}× kafka producer vs kcat -P (kcat time / cryptolake time)\n", kcat_produce / kafka_produce);
    fmt::print("ratio {:.2f}× kafka consumer vs kcat -C\n", kcat_consume / kafka_consume);
    fmt::print("ratio {:.2f}× local log produce vs kcat -P\n", kcat_produce / local_produce);
  }
  if (options.work.empty()) fs::remove_all(work, ec);
  return {};
}

}  // namespace cryptolake::bench
