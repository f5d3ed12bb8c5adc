#include "stream/stream_metrics.hpp"

#include <fmt/format.h>

namespace cryptolake::stream {

namespace {

// Label values come from our own names (sources, datasets, topics), but escape anyway.
std::string label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void StreamMetrics::collected(std::string_view source, std::string_view dataset, size_t messages) {
  std::lock_guard lock(mutex_);
  in_[{std::string(source), std::string(dataset)}] += messages;
}

void StreamMetrics::landed(std::string_view dataset, size_t records) {
  std::lock_guard lock(mutex_);
  out_[std::string(dataset)] += records;
}

void StreamMetrics::lag(std::string_view topic, int32_t partition, int64_t records) {
  std::lock_guard lock(mutex_);
  lag_[{std::string(topic), partition}] = records;
}

void StreamMetrics::reconnects(size_t total) {
  std::lock_guard lock(mutex_);
  reconnects_ = total;
}

void StreamMetrics::event_to_curated(double seconds) {
  std::lock_guard lock(mutex_);
  size_t bucket = 0;
  while (bucket < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) ++bucket;
  ++buckets_[bucket];
  latency_sum_ += seconds;
  ++latency_count_;
}

void StreamMetrics::last_event(core::Timestamp at) {
  std::lock_guard lock(mutex_);
  if (!last_event_ || *last_event_ < at) last_event_ = at;
}

void StreamMetrics::alerted(std::string_view rule, size_t alerts) {
  std::lock_guard lock(mutex_);
  alerts_[std::string(rule)] += alerts;
}

std::string StreamMetrics::prometheus() const {
  std::lock_guard lock(mutex_);
  std::string text;
  text += "# HELP cryptolake_stream_messages_in_total Messages a source sent into the bus.\n# TYPE cryptolake_stream_messages_in_total counter\n";
  for (const auto& [key, n] : in_) {
    text += fmt::format("cryptolake_stream_messages_in_total{{source=\"{}\",dataset=\"{}\"}} {}\n", label(key.first), label(key.second), n);
  }
  text += "# HELP cryptolake_stream_records_out_total Records landed (and curated) from the bus.\n# TYPE cryptolake_stream_records_out_total counter\n";
  for (const auto& [dataset, n] : out_) text += fmt::format("cryptolake_stream_records_out_total{{dataset=\"{}\"}} {}\n", label(dataset), n);
  text += "# HELP cryptolake_stream_consumer_lag Records of a partition not yet landed (end offset - committed).\n# TYPE cryptolake_stream_consumer_lag gauge\n";
  for (const auto& [where, n] : lag_) {
    text += fmt::format("cryptolake_stream_consumer_lag{{topic=\"{}\",partition=\"{}\"}} {}\n", label(where.first), where.second, n);
  }
  text += fmt::format("# HELP cryptolake_stream_reconnects_total Connections to a live source opened again after one broke.\n"
                      "# TYPE cryptolake_stream_reconnects_total counter\ncryptolake_stream_reconnects_total {}\n", reconnects_);
  text += "# HELP cryptolake_stream_alerts_total Alerts the [[alerts]] rules raised while this process ran.\n# TYPE cryptolake_stream_alerts_total counter\n";
  for (const auto& [rule, n] : alerts_) text += fmt::format("cryptolake_stream_alerts_total{{rule=\"{}\"}} {}\n", label(rule), n);
  text += "# HELP cryptolake_stream_event_to_curated_seconds From a record entering the bus to its curated rows being durable.\n"
          "# TYPE cryptolake_stream_event_to_curated_seconds histogram\n";
  size_t cumulative = 0;
  for (size_t b = 0; b < kLatencyBuckets.size(); ++b) {
    cumulative += buckets_[b];
    text += fmt::format("cryptolake_stream_event_to_curated_seconds_bucket{{le=\"{}\"}} {}\n", kLatencyBuckets[b], cumulative);
  }
  text += fmt::format("cryptolake_stream_event_to_curated_seconds_bucket{{le=\"+Inf\"}} {}\n", latency_count_);
  text += fmt::format("cryptolake_stream_event_to_curated_seconds_sum {}\ncryptolake_stream_event_to_curated_seconds_count {}\n", latency_sum_,
                      latency_count_);
  return text;
}

StreamMetrics::Totals StreamMetrics::totals() const {
  std::lock_guard lock(mutex_);
  Totals totals;
  for (const auto& [key, n] : in_) totals.in += n;
  for (const auto& [dataset, n] : out_) totals.out += n;
  for (const auto& [where, n] : lag_) totals.lag += n;
  totals.last_event = last_event_;
  size_t cumulative = 0;
  for (size_t b = 0; b < buckets_.size() && latency_count_ > 0; ++b) {
    cumulative += buckets_[b];
    if (static_cast<double>(cumulative) >= 0.99 * static_cast<double>(latency_count_)) {
      totals.p99_seconds = b < kLatencyBuckets.size() ? kLatencyBuckets[b] : std::numeric_limits<double>::infinity();
      break;
    }
  }
  return totals;
}

core::Result<std::string> CountingSink::land(std::span<const core::Envelope> envelopes) {
  TRY_ASSIGN(std::string where, next_.land(envelopes));
  if (!envelopes.empty()) {
    metrics_.collected(envelopes.front().source, envelopes.front().dataset, envelopes.size());
    metrics_.last_event(envelopes.back().received_at);
  }
  return where;
}

}  // namespace cryptolake::stream
