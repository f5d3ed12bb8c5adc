// market_ohlcv → market_features: per-candle lag, percent change, log return, moving averages
// and rolling volatility for every series. Each series is read whole and in time order, so a
// window that spans midnight sees the previous day's tail; output is one file per day.
//
// Incremental: given the market_ohlcv partition versions of its last run (`consumed`), it rewrites
// only the days from the first changed one on, reading the days before it only for each
// series' window tail. `now_consumed` receives the versions it read, for the next run.
#pragma once

#include <optional>
#include <string>

#include "core/config.hpp"
#include "lake/write_stats.hpp"
#include "lake/curated_writer.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::analytics {

const std::vector<lake::ColumnSpec>& market_features_schema();

[[nodiscard]] core::Result<lake::WriteStats> build_market_features(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                                      const core::FeaturesConfig& config,
                                                                      size_t threads,
                                                                      const std::optional<std::string>& consumed = std::nullopt,
                                                                      std::string* now_consumed = nullptr);

}  // namespace cryptolake::analytics
