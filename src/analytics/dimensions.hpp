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

#include "transform/etl_stats.hpp"
#include "transform/market_ohlcv_etl.hpp"

namespace cryptolake::analytics {

inline constexpr std::string_view kStaticPartition = "1970-01-01";

struct KnownCoin {
  std::string coin;  // ticker, upper case: BTC
  std::string name;  // Bitcoin
  std::string coingecko_id, coincap_id;
  std::vector<std::string> aliases;  // lower case words and tags that mean this coin
};

// The coins cryptolake knows by heart (the majors and their usual nicknames).
const std::vector<KnownCoin>& known_coins();

[[nodiscard]] core::Result<transform::EtlStats> build_dim_date(lake::ObjectStore& store, lake::DuckDb& duckdb, size_t threads);
[[nodiscard]] core::Result<transform::EtlStats> build_dim_coin(lake::ObjectStore& store, lake::DuckDb& duckdb);

}  // namespace cryptolake::analytics
