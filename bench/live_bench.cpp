#include "bench/live_bench.hpp"

#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "bench/bench_support.hpp"
#include "bus/local_log.hpp"
#include "io/real/system_clock.hpp"
#include "stream/live_processor.hpp"
#include "stream/stream_sources.hpp"

namespace cryptolake::bench {

namespace fs = std::filesystem;

namespace {

double thread_cpu_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

}  // namespace

core::Status bench_live(const core::Config& config, const LiveBenchOptions& options) {
  const fs::path work = options.work.empty() ? fs::temp_directory_path() / fmt::format("cryptolake-bench-live-{}", ::getpid()) : fs::path(options.work);
  fs::remove_all(work);
  fs::create_directories(work);
  io::SystemClock clock;
  bus::LocalLogBus bus(work / "_log", {}, clock);
  sources::simulator::LiveSimulationOptions simulation;
  simulation.minutes = options.minutes;
  simulation.speed = 0;
  const size_t symbols = simulation.config.symbols.size();
  TRY_ASSIGN(const stream::CollectReport collected, stream::collect(stream::simulator_source(simulation, clock), clock, bus, "cryptolake"));
  const auto expected = static_cast<size_t>(options.minutes) * symbols;
  fmt::print("input: {} kline events ({} symbols × {} minutes: an open update and the closed candle each) in the local log\n",
             collected.counts.messages, symbols, options.minutes);

  stream::LiveProcessor processor(config.projections);
  stream::LiveOptions live;
  live.projections = config.projections;
  live.max_records = 2 * symbols;  // one minute's events a poll: every symbol projected every minute
  live.publish_every_ms = 0;       // and a snapshot after each
  size_t snapshots = 0, snapshot_bytes = 0;
  double cpu = 0, wall = 0;
  core::Status ran;
  std::stop_source stop;
  std::jthread worker([&] {
    const double cpu_start = thread_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    ran = stream::run_live(bus, processor, live, clock, [&](std::string json) {
      ++snapshots;
      snapshot_bytes += json.size();
      if (processor.candles() >= expected) stop.request_stop();
    }, stop.get_token());
    wall = seconds_since(start);
    cpu = thread_cpu_seconds() - cpu_start;
  });
  worker.join();
  TRY(ran);
  fs::remove_all(work);
  if (processor.candles() != expected) {
    return core::fail(core::ErrorCode::corrupt_data, "the processor took {} candles of {}", processor.candles(), expected);
  }
  const double simulated_seconds = static_cast<double>(options.minutes) * 60.0;
  fmt::print("live processor, one thread: {} candles in {:.2f} s wall, {:.2f} s CPU; {:.0f} events/s; {} snapshots ({:.1f} KB each)\n",
             processor.candles(), wall, cpu, static_cast<double>(collected.counts.messages) / wall, snapshots,
             static_cast<double>(snapshot_bytes) / static_cast<double>(std::max<size_t>(snapshots, 1)) / 1e3);
  fmt::print("{} symbols' minutes at {:.0f}× real time (goal 1000×)\n", symbols, simulated_seconds / wall);
  fmt::print("ratio {:.2f}× the 1000× goal\n", simulated_seconds / wall / 1000.0);
  return {};
}

}  // namespace cryptolake::bench
