// Prometheus metrics in the text exposition format (version 0.0.4): counters end in _total,
// durations are seconds, histograms have cumulative buckets with +Inf, _sum and _count.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace cryptolake::serve {

// Thread-safe.
class Metrics {
 public:
  // One served request: `route` is a bounded label (the API path, never an id).
  void observe_request(const std::string& route, int status, double seconds);
  // Gauges and counters computed elsewhere (from the lake) and shown as they are.
  struct Sample {
    std::string name, help, type;  // type: gauge | counter | histogram
    std::vector<std::pair<std::string, double>> values;  // label text ("table=\"posts\"") → value
    std::string lines;  // preformatted sample lines (histograms), after HELP/TYPE
  };
  // A histogram family from observations per label set.
  static Sample histogram(std::string name, std::string help, const std::map<std::string, std::vector<double>>& observations);
  std::string exposition(const std::vector<Sample>& lake_samples) const;

  static constexpr double kBuckets[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

 private:
  struct Histogram {
    std::vector<uint64_t> buckets = std::vector<uint64_t>(std::size(kBuckets), 0);
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace cryptolake::serve
