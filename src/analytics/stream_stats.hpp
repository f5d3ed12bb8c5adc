// market_ohlcv (1-minute series) → stream_stats: per symbol and minute, the rolling 1-, 5- and
// 60-minute windows (analytics/rolling_windows) as of that minute's candle — candles as events:
// price = close, quantity = volume, trades = the candle's trade count. Incremental like
// projections (the days from the first changed one, the hour before them read for the windows),
// over the last `days` days (ProjectionsConfig::last_days; older partitions removed).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lake/curated_writer.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "lake/write_stats.hpp"

namespace cryptolake::analytics {

inline constexpr int kStreamWindowsMinutes[] = {1, 5, 60};

const std::vector<lake::ColumnSpec>& stream_stats_schema();

[[nodiscard]] core::Result<lake::WriteStats> build_stream_stats(lake::ObjectStore& store, lake::DuckDb& duckdb, int days, size_t threads,
                                                                const std::optional<std::string>& consumed = std::nullopt,
                                                                std::string* now_consumed = nullptr);

}  // namespace cryptolake::analytics
