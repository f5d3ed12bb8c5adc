#include "analytics/rolling_features.hpp"

#include <cmath>

namespace cryptolake::analytics {

namespace {

double mean_of(std::span<const double> values, size_t end, size_t window) {
  const size_t begin = end + 1 >= window ? end + 1 - window : 0;
  double sum = 0;
  for (size_t i = begin; i <= end; ++i) sum += values[i];
  return sum / static_cast<double>(end + 1 - begin);
}

}  // namespace

std::vector<FeatureRow> rolling_features(std::span<const double> closes, int ma_window, int volatility_window) {
  std::vector<FeatureRow> rows(closes.size());
  std::vector<double> returns;  // log returns of rows 1..n-1
  returns.reserve(closes.size());
  const auto vol_window = static_cast<size_t>(volatility_window);
  for (size_t i = 0; i < closes.size(); ++i) {
    FeatureRow& row = rows[i];
    if (i > 0) {
      const double prev = closes[i - 1];
      row.prev_close = prev;
      row.pct_change = (closes[i] - prev) / prev * 100.0;
      row.log_return = std::log(closes[i] / prev);
      returns.push_back(*row.log_return);
      // Recomputed per row rather than kept as running sums: windows are short, and this stays
      // exact over millions of rows instead of accumulating rounding drift.
      const size_t n = std::min(returns.size(), vol_window);
      if (n >= 2) {
        const size_t end = returns.size() - 1;
        const double mean = mean_of(returns, end, n);
        double ss = 0;
        for (size_t k = returns.size() - n; k <= end; ++k) ss += (returns[k] - mean) * (returns[k] - mean);
        row.rolling_std = std::sqrt(ss / static_cast<double>(n - 1));
      }
    }
    row.ma_5 = mean_of(closes, i, 5);
    row.ma_long = mean_of(closes, i, static_cast<size_t>(ma_window));
  }
  return rows;
}

}  // namespace cryptolake::analytics
