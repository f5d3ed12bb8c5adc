// market_ohlcv (+ projection_outcomes) → alerts: the [[alerts]] rules of the config, evaluated
// per candle. price_move: the close moved more than `percent` % from the close `minutes` earlier;
// volume_zscore: the candle's volume is more than `zscore` stds above the mean of the `minutes`
// candles before it; band_broken: the actual close fell outside a projection's 95 % band (at that
// horizon). The first two fire when the condition starts (not on every candle it lasts), so a
// long move is one alert. Rows: rule, kind, source, symbol, alert_time, value, threshold, message
// (not "at": a DuckDB keyword).
// Incremental like projections, over the last ProjectionsConfig::last_days days.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "lake/curated_writer.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "lake/write_stats.hpp"

namespace cryptolake::analytics {

const std::vector<lake::ColumnSpec>& alerts_schema();

struct AlertRow {
  std::string rule, kind, source, symbol;
  int64_t at = 0;  // alert_time, µs: the candle's open time (band_broken: the projection's target)
  double value = 0, threshold = 0;
  std::string message;
};

[[nodiscard]] core::Result<lake::WriteStats> build_alerts(lake::ObjectStore& store, lake::DuckDb& duckdb, const std::vector<core::AlertRuleConfig>& rules,
                                                          int days, size_t threads, const std::optional<std::string>& consumed = std::nullopt,
                                                          std::string* now_consumed = nullptr);

// The alerts raised after `after` (alert_time in µs; nothing: every one), oldest first, at most `limit`; and how
// many there are in all. What a stream process announces after each curation.
struct NewAlerts {
  std::vector<AlertRow> rows;
  size_t total = 0;
  std::optional<int64_t> latest;  // the newest `at` among them
};
[[nodiscard]] core::Result<NewAlerts> alerts_after(lake::ObjectStore& store, lake::DuckDb& duckdb, std::optional<int64_t> after, size_t limit);

}  // namespace cryptolake::analytics
