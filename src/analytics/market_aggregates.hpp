// market_ohlcv + market_features → agg_market_daily: per (source, symbol, interval, UTC day)
// min, max, mean, first and last price, volume, and volatility (sample std of log returns).
#pragma once

#include "transform/etl_stats.hpp"
#include "transform/market_ohlcv_etl.hpp"

namespace cryptolake::analytics {

[[nodiscard]] core::Result<transform::EtlStats> build_agg_market_daily(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                                       size_t threads);

}  // namespace cryptolake::analytics
