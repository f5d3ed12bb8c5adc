// market_ohlcv + market_features → agg_market_hourly, agg_market_daily, agg_market_monthly: per
// (source, symbol, interval, period) the min, max, mean, first and last price, volume, and
// volatility (sample std of log returns). Incremental: a partition is recomputed only when the
// bytes of its inputs changed (fingerprints under _catalog/fingerprints/).
#pragma once

#include "lake/write_stats.hpp"
#include "lake/curated_writer.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::analytics {

enum class Period { hour, day, month };

[[nodiscard]] core::Result<lake::WriteStats> build_market_aggregates(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                                        Period period, size_t threads);

// Kept for callers of the daily table alone.
[[nodiscard]] core::Result<lake::WriteStats> build_agg_market_daily(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                                       size_t threads);

}  // namespace cryptolake::analytics
