// raw tickers and rates → curated market_ticks (source, symbol, ts; latest received wins), and
// raw CoinGecko market charts → curated coin_stats (coin, vs_currency, ts; one file per month),
// and CoinGecko coins/markets snapshots → coin_markets (id, vs_currency, snapshot_at). Ticks: one
// file per UTC day.
// Datasets read: binance ticker_price / ticker_24hr, coincap assets / asset_history,
// bpi currentprice, coinbase exchange_rates, coingecko market_chart.
#pragma once

#include "transform/market_ohlcv_etl.hpp"

namespace cryptolake::transform {

const std::vector<lake::ColumnSpec>& market_ticks_schema();
const std::vector<lake::ColumnSpec>& coin_stats_schema();
const std::vector<lake::ColumnSpec>& coin_markets_schema();

[[nodiscard]] core::Result<lake::WriteStats> run_market_ticks_etl(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                          const EtlOptions& options);
[[nodiscard]] core::Result<lake::WriteStats> run_coin_stats_etl(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                        const EtlOptions& options);

// Every field of each coin, nulls kept; fields CoinGecko adds later go to `extra`.
[[nodiscard]] core::Result<lake::WriteStats> run_coin_markets_etl(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                          const EtlOptions& options);

}  // namespace cryptolake::transform
