#include "stream/collect.hpp"

#include <atomic>
#include <optional>
#include <thread>

#include "bus/bus_raw_sink.hpp"

namespace cryptolake::stream {

core::Result<CollectReport> collect(const StreamSource& source, io::Clock& clock, bus::Bus& bus, const std::string& topic_prefix,
                                    std::stop_token stop, StreamMetrics* metrics) {
  CollectReport report;
  report.topic = bus::topic_name(topic_prefix, "raw");
  TRY(bus.create_topics({report.topic}));
  TRY_ASSIGN(auto producer, bus.producer());
  bus::BusRawSink sink(*producer, report.topic, clock);
  std::optional<CountingSink> counting;
  if (metrics != nullptr) counting.emplace(sink, *metrics);
  auto counts = counting ? source(*counting, stop) : source(sink, stop);
  TRY(sink.flush());  // what was produced before a failure is still delivered
  TRY_ASSIGN(report.counts, std::move(counts));
  return report;
}

core::Result<RunReport> run_stream(const StreamSource& source, LandOptions land, io::Clock& clock, bus::Bus& bus, lake::ObjectStore& store,
                                   std::stop_token stop, const LandProgress& progress) {
  std::atomic<bool> producing{true};
  std::optional<core::Result<CollectReport>> collected;
  std::jthread collector([&] {
    collected = collect(source, clock, bus, land.topic_prefix, stop, land.metrics);
    producing = false;
  });
  land.still_producing = [&] { return producing.load(); };
  if (land.exit_when_idle_ms < 0) land.exit_when_idle_ms = 1000;
  auto landed = land_stream(bus, store, land, stop, progress);
  collector.join();
  TRY_ASSIGN(CollectReport collect_report, std::move(*collected));
  TRY_ASSIGN(LandReport land_report, std::move(landed));
  return RunReport{std::move(collect_report), land_report};
}

}  // namespace cryptolake::stream
