// Per-candle features of one price series, computed in one pass over its closes in time order:
// previous close (lag), percent change, log return, MA(5), MA(long), rolling std of log returns.
// Windows are row windows ending at the current candle (like ROWS BETWEEN n-1 PRECEDING AND
// CURRENT ROW), partial at the start of a series.
#pragma once

#include <optional>
#include <span>
#include <vector>

namespace cryptolake::analytics {

struct FeatureRow {
  std::optional<double> prev_close, pct_change, log_return;
  double ma_5 = 0;
  double ma_long = 0;
  std::optional<double> rolling_std;  // sample std of the last `volatility_window` log returns (≥ 2 of them)
};

std::vector<FeatureRow> rolling_features(std::span<const double> closes, int ma_window, int volatility_window);

}  // namespace cryptolake::analytics
