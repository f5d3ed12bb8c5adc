// market_ohlcv → market_features: per-candle lag, percent change, log return, moving averages
// and rolling volatility for every series. Each series is read whole and in time order, so a
// window that spans midnight sees the previous day's tail; output is one file per day.
#pragma once

#include "core/config.hpp"
#include "lake/write_stats.hpp"
#include "lake/curated_writer.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::analytics {

const std::vector<lake::ColumnSpec>& market_features_schema();

[[nodiscard]] core::Result<lake::WriteStats> build_market_features(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                                      const core::FeaturesConfig& config,
                                                                      size_t threads);

}  // namespace cryptolake::analytics
