#include "analytics/market_aggregates.hpp"

#include <set>

#include "transform/partition_writer.hpp"

namespace cryptolake::analytics {

namespace {

// Partition values (the YYYY-MM-DD after "dt=") present under a table.
std::set<std::string> partitions_of(const lake::ObjectStore& store, std::string_view table) {
  std::set<std::string> dts;
  if (auto keys = store.list(fmt::format("curated/{}/", table))) {
    for (const std::string& key : *keys) {
      const size_t at = key.find("/dt=");
      if (at != std::string::npos) dts.insert(key.substr(at + 4, key.find('/', at + 4) - at - 4));
    }
  }
  return dts;
}

}  // namespace

core::Result<transform::EtlStats> build_agg_market_daily(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                         size_t threads) {
  transform::EtlStats stats;
  stats.table = "agg_market_daily";
  std::vector<transform::QueryPartition> partitions;
  for (const std::string& dt : partitions_of(store, "market_ohlcv")) {
    const std::string ohlcv = lake::sql_string(transform::table_glob(store, "market_ohlcv", dt));
    const std::string features = lake::sql_string(transform::table_glob(store, "market_features", dt));
    partitions.push_back({dt, fmt::format(
        "SELECT o.source, o.symbol, o.interval, min(o.low) AS min_price, max(o.high) AS max_price, "
        "avg(o.close) AS mean_price, arg_min(o.open, o.open_time) AS first_price, "
        "arg_max(o.close, o.open_time) AS last_price, sum(o.volume) AS volume, "
        "sum(o.quote_volume) AS quote_volume, stddev_samp(f.log_return) AS volatility, count(*) AS candles "
        "FROM read_parquet({}) o JOIN read_parquet({}) f USING (source, symbol, interval, open_time) "
        "GROUP BY o.source, o.symbol, o.interval ORDER BY o.source, o.symbol, o.interval",
        ohlcv, features)});
  }
  TRY_ASSIGN(const transform::WrittenCounts written,
             transform::write_query_partitions(store, duckdb, "agg_market_daily", partitions, threads));
  stats.partitions = written.partitions;
  stats.rows_out = written.rows;
  return stats;
}

}  // namespace cryptolake::analytics
