#include "serve/metrics.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace cryptolake::serve {

void Metrics::observe_request(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < std::size(kBuckets); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

Metrics::Sample Metrics::histogram(std::string name, std::string help, const std::map<std::string, std::vector<double>>& observations) {
  Sample sample{name, std::move(help), "histogram", {}, ""};
  for (const auto& [labels, values] : observations) {
    double sum = 0;
    for (const double v : values) sum += v;
    for (const double bound : kBuckets) {
      const auto n = std::ranges::count_if(values, [&](double v) { return v <= bound; });
      sample.lines += fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", name, labels, bound, n);
    }
    sample.lines += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n{}_sum{{{}}} {}\n{}_count{{{}}} {}\n", name, labels, values.size(), name,
                                labels, sum, name, labels, values.size());
  }
  return sample;
}

std::string Metrics::exposition(const std::vector<Sample>& lake_samples) const {
  std::string out;
  {
    std::lock_guard lock(mutex_);
    out += "# HELP cryptolake_http_requests_total HTTP requests served, by route and status code.\n"
           "# TYPE cryptolake_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      out += fmt::format("cryptolake_http_requests_total{{route=\"{}\",code=\"{}\"}} {}\n", key.first, key.second, n);
    }
    out += "# HELP cryptolake_http_request_duration_seconds Time to answer an HTTP request.\n"
           "# TYPE cryptolake_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
      for (size_t i = 0; i < std::size(kBuckets); ++i) {
        out += fmt::format("cryptolake_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", route, kBuckets[i], h.buckets[i]);
      }
      out += fmt::format("cryptolake_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", route, h.count);
      out += fmt::format("cryptolake_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", route, h.sum);
      out += fmt::format("cryptolake_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", route, h.count);
    }
  }
  for (const Sample& s : lake_samples) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", s.name, s.help, s.name, s.type);
    out += s.lines;
    for (const auto& [labels, value] : s.values) {
      out += labels.empty() ? fmt::format("{} {}\n", s.name, value) : fmt::format("{}{{{}}} {}\n", s.name, labels, value);
    }
  }
  return out;
}

}  // namespace cryptolake::serve
