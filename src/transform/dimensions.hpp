// The star schema's dimensions.
//   dim_date: one row per UTC day any fact table covers (date_key yyyymmdd, year, quarter, month,
//     day, ISO weekday 1 = Monday, weekday name, ISO week, is_weekend).
//   dim_coin: one row per coin, merging the Binance base assets and quote assets seen in market
//     data, CoinGecko ids (coins/list or market charts), CoinCap ids (assets), with a name and
//     the aliases social posts use ("bitcoin", "btc", "xbt").
// Dimensions are small: each lives in the single partition dt=1970-01-01, rewritten whole.
//   dim_symbol: every market symbol with its base and quote coin.
#pragma once

#include <string>
#include <vector>

#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "lake/write_stats.hpp"

namespace cryptolake::transform {

[[nodiscard]] core::Result<lake::WriteStats> build_dim_date(lake::ObjectStore& store, lake::DuckDb& duckdb, size_t threads);
[[nodiscard]] core::Result<lake::WriteStats> build_dim_coin(lake::ObjectStore& store, lake::DuckDb& duckdb);

}  // namespace cryptolake::transform
