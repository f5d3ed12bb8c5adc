// What a stream process counts, for its /metrics (Prometheus text format, `--metrics-port`) and
// its progress line: messages in per source and dataset (collected into the bus), records out per
// dataset (landed and curated), consumer lag per partition, reconnects, alerts per rule, and a histogram of
// event-to-curated latency (from the record entering the bus to its curated rows being durable).
// Thread-safe: the collector and the lander of `stream run` share one.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "core/timestamp.hpp"
#include "io/raw_sink.hpp"

namespace cryptolake::stream {

class StreamMetrics {
 public:
  static constexpr std::array<double, 10> kLatencyBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60};  // seconds

  void collected(std::string_view source, std::string_view dataset, size_t messages);
  void landed(std::string_view dataset, size_t records);
  void lag(std::string_view topic, int32_t partition, int64_t records);
  void reconnects(size_t total);
  void event_to_curated(double seconds);
  void last_event(core::Timestamp at);
  void alerted(std::string_view rule, size_t alerts);

  std::string prometheus() const;

  struct Totals {
    size_t in = 0, out = 0;
    int64_t lag = 0;
    std::optional<core::Timestamp> last_event;
    double p99_seconds = 0;  // upper bound of the bucket holding the 99th percentile; 0: none yet
  };
  Totals totals() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, size_t> in_;
  std::map<std::string, size_t> out_;
  std::map<std::pair<std::string, int32_t>, int64_t> lag_;
  size_t reconnects_ = 0;
  std::map<std::string, size_t> alerts_;
  std::array<size_t, kLatencyBuckets.size() + 1> buckets_{};  // the last: above every bound
  double latency_sum_ = 0;
  size_t latency_count_ = 0;
  std::optional<core::Timestamp> last_event_;
};

// A RawSink that counts what passes into `metrics`, then hands it on.
class CountingSink final : public io::RawSink {
 public:
  CountingSink(io::RawSink& next, StreamMetrics& metrics) : next_(next), metrics_(metrics) {}
  core::Result<std::string> land(std::span<const core::Envelope> envelopes) override;
  core::Result<std::string> land_file(const io::RawFile& file) override { return next_.land_file(file); }

 private:
  io::RawSink& next_;
  StreamMetrics& metrics_;
};

}  // namespace cryptolake::stream
