#include "stream/collect.hpp"

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "bus/bus_raw_sink.hpp"

namespace cryptolake::stream {

namespace {

// The bus sink of a source held within Backpressure::max_ahead records of the lander.
class HeldBackSink final : public io::RawSink {
 public:
  HeldBackSink(bus::BusRawSink& next, const Backpressure& backpressure, std::stop_token stop)
      : next_(next), backpressure_(backpressure), stop_(std::move(stop)) {}

  core::Result<std::string> land(std::span<const core::Envelope> envelopes) override {
    bool flushed = false;
    size_t seen = backpressure_.landed->load();
    auto since = std::chrono::steady_clock::now();
    while (!given_up_ && produced_ > seen + backpressure_.max_ahead && !backpressure_.landing_over->load() && !stop_.stop_requested()) {
      if (!flushed) {
        TRY(next_.flush());  // the lander can only catch up with what it can read
        flushed = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      if (const size_t now_landed = backpressure_.landed->load(); now_landed != seen) {
        seen = now_landed;
        since = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - since > backpressure_.stalled_after) {
        // Another member of the group may be landing what this one is waiting for: never wait forever.
        spdlog::warn("stream: the lander landed nothing for {} ms while the source waited; the source goes on without waiting",
                     backpressure_.stalled_after.count());
        given_up_ = true;
      }
    }
    produced_ += envelopes.size();
    return next_.land(envelopes);
  }
  core::Result<std::string> land_file(const io::RawFile& file) override { return next_.land_file(file); }

 private:
  bus::BusRawSink& next_;
  const Backpressure& backpressure_;
  std::stop_token stop_;
  size_t produced_ = 0;
  bool given_up_ = false;
};

}  // namespace

core::Result<CollectReport> collect(const StreamSource& source, io::Clock& clock, bus::Bus& bus, const std::string& topic_prefix,
                                    std::stop_token stop, StreamMetrics* metrics, const Backpressure* backpressure) {
  CollectReport report;
  report.topic = bus::topic_name(topic_prefix, "raw");
  TRY(bus.create_topics({report.topic}));
  TRY_ASSIGN(auto producer, bus.producer());
  bus::BusRawSink bus_sink(*producer, report.topic, clock);
  std::optional<HeldBackSink> held_back;
  if (backpressure != nullptr) held_back.emplace(bus_sink, *backpressure, stop);
  io::RawSink& sink = held_back ? static_cast<io::RawSink&>(*held_back) : bus_sink;
  std::optional<CountingSink> counting;
  if (metrics != nullptr) counting.emplace(sink, *metrics);
  auto counts = counting ? source(*counting, stop) : source(sink, stop);
  TRY(bus_sink.flush());  // what was produced before a failure is still delivered
  TRY_ASSIGN(report.counts, std::move(counts));
  return report;
}

core::Result<RunReport> run_stream(const StreamSource& source, LandOptions land, io::Clock& clock, bus::Bus& bus, lake::ObjectStore& store,
                                   std::stop_token stop, const LandProgress& progress, size_t max_ahead) {
  std::atomic<bool> producing{true};
  std::atomic<size_t> landed_records{0};
  std::atomic<bool> landing_over{false};
  const Backpressure backpressure{max_ahead, &landed_records, &landing_over};
  std::optional<core::Result<CollectReport>> collected;
  std::jthread collector([&] {
    collected = collect(source, clock, bus, land.topic_prefix, stop, land.metrics, max_ahead > 0 ? &backpressure : nullptr);
    producing = false;
  });
  land.still_producing = [&] { return producing.load(); };
  if (land.exit_when_idle_ms < 0) land.exit_when_idle_ms = 1000;
  const LandProgress counted = [&](const LandReport& report) {
    landed_records = report.records;
    if (progress) progress(report);
  };
  auto landed = land_stream(bus, store, land, stop, counted);
  landing_over = true;  // a lander that failed must not leave the source waiting
  collector.join();
  TRY_ASSIGN(CollectReport collect_report, std::move(*collected));
  TRY_ASSIGN(LandReport land_report, std::move(landed));
  return RunReport{std::move(collect_report), land_report};
}

}  // namespace cryptolake::stream
