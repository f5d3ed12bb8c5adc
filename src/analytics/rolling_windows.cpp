#include "analytics/rolling_windows.hpp"

#include <algorithm>
#include <cmath>

namespace cryptolake::analytics {

void RollingWindow::add(const WindowEvent& e) {
  if (!has_origin_) {
    origin_ = e.price;
    has_origin_ = true;
  }
  events_.push_back(e);
  count(e, 1);
  while (!mins_.empty() && mins_.back().price >= e.price) mins_.pop_back();
  mins_.push_back(e);
  while (!maxs_.empty() && maxs_.back().price <= e.price) maxs_.pop_back();
  maxs_.push_back(e);
  evict(e.time);
}

void RollingWindow::evict(int64_t now) {
  const int64_t cutoff = now - length_;
  while (!events_.empty() && events_.front().time <= cutoff) {
    count(events_.front(), -1);
    events_.pop_front();
    ++evicted_;
  }
  while (!mins_.empty() && mins_.front().time <= cutoff) mins_.pop_front();
  while (!maxs_.empty() && maxs_.front().time <= cutoff) maxs_.pop_front();
  // Once every event has been replaced, the sums are taken again around the window's own first
  // price: rounding does not pile up, and prices that drifted far from the origin keep their
  // digits in the variance. O(n) once per n evictions: O(1) amortised.
  if (evicted_ >= events_.size()) rebase();
}

void RollingWindow::rebase() {
  evicted_ = 0;
  sum_ = sum_sq_ = sum_pq_ = sum_q_ = 0;
  trades_ = 0;
  has_origin_ = !events_.empty();
  if (!has_origin_) return;
  origin_ = events_.front().price;
  for (const WindowEvent& e : events_) count(e, 1);
}

void RollingWindow::count(const WindowEvent& e, int sign) {
  const double d = e.price - origin_;
  sum_ += sign * d;
  sum_sq_ += sign * d * d;
  sum_pq_ += sign * e.price * e.quantity;
  sum_q_ += sign * e.quantity;
  trades_ += sign * e.trades;
}

WindowStats RollingWindow::stats() const {
  WindowStats s;
  s.count = static_cast<int64_t>(events_.size());
  if (events_.empty()) return s;
  const auto n = static_cast<double>(events_.size());
  s.min = mins_.front().price;
  s.max = maxs_.front().price;
  s.mean = origin_ + sum_ / n;
  if (events_.size() >= 2) s.std = std::sqrt(std::max(0.0, (sum_sq_ - sum_ * sum_ / n) / (n - 1)));
  if (sum_q_ > 0) s.vwap = sum_pq_ / sum_q_;
  s.ret = events_.back().price / events_.front().price - 1;
  s.trades = trades_;
  return s;
}

}  // namespace cryptolake::analytics
