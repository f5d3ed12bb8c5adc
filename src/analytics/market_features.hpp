// market_ohlcv → market_features: per-candle lag, percent change, log return, moving averages
// and rolling volatility for every series. The days are read a group at a time (at least one day
// per thread, up to `group_rows` candles), each series carrying its last closes from one group to
// the next, so a window that spans midnight sees the previous day's tail and memory stays bounded
// whatever the table's size; output is one file per day.
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

inline constexpr size_t kFeatureGroupRows = 500'000;  // ~100 MB held: candles, their features, the batches written

[[nodiscard]] core::Result<lake::WriteStats> build_market_features(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                                      const core::FeaturesConfig& config,
                                                                      size_t threads,
                                                                      const std::optional<std::string>& consumed = std::nullopt,
                                                                      std::string* now_consumed = nullptr,
                                                                      size_t group_rows = kFeatureGroupRows);

}  // namespace cryptolake::analytics
