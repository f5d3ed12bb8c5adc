// Rolling time windows over a stream of trades or candles of one symbol, updated per event in
// O(1) amortised: count, min, max, mean, std, VWAP, return and trades over the last W of event
// time. What `stream_stats` holds per symbol, minute and window (1, 5 and 60 minutes).
#pragma once

#include <cstdint>
#include <cstddef>
#include <deque>
#include <optional>

namespace cryptolake::analytics {

struct WindowEvent {
  int64_t time = 0;    // µs; events come in time order
  double price = 0;
  double quantity = 0;
  int64_t trades = 1;  // a candle carries its trade count
};

struct WindowStats {
  int64_t count = 0;
  double min = 0, max = 0, mean = 0;
  std::optional<double> std;   // sample std of the prices (≥ 2 events)
  std::optional<double> vwap;  // Σ price·quantity / Σ quantity (when Σ quantity > 0)
  double ret = 0;              // last price / first price − 1
  int64_t trades = 0;
};

class RollingWindow {
 public:
  explicit RollingWindow(int64_t length_us) : length_(length_us) {}

  // Adds an event; the window then holds the events of (time − length, time].
  void add(const WindowEvent& e);
  [[nodiscard]] WindowStats stats() const;

 private:
  void evict(int64_t now);
  void rebase();
  void count(const WindowEvent& e, int sign);  // into the sums (+1) or out of them (−1)

  int64_t length_;
  std::deque<WindowEvent> events_;
  std::deque<WindowEvent> mins_, maxs_;  // monotonic: the front is the window's min / max
  // Sums of prices shifted by `origin_` (the first price seen) so the variance keeps its digits.
  double origin_ = 0;
  bool has_origin_ = false;
  double sum_ = 0, sum_sq_ = 0, sum_pq_ = 0, sum_q_ = 0;
  int64_t trades_ = 0;
  size_t evicted_ = 0;  // since the last rebase
};

}  // namespace cryptolake::analytics
