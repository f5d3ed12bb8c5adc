#include "analytics/market_aggregates.hpp"

#include <map>

#include "lake/partition_commit.hpp"
#include "lake/partition_writer.hpp"
#include "lake/layout.hpp"

namespace cryptolake::analytics {

namespace {

// Partition value -> object keys of a table.
std::map<std::string, std::vector<std::string>> partitions_of(const lake::ObjectStore& store, std::string_view table) {
  std::map<std::string, std::vector<std::string>> dts;
  if (auto keys = store.list(lake::layout::table_prefix(table))) {
    for (const std::string& key : *keys) {
      if (auto where = lake::layout::parse_curated_key(key)) dts[where->dt].push_back(key);
    }
  }
  return dts;
}

}  // namespace

core::Result<lake::WriteStats> build_market_aggregates(lake::ObjectStore& store, lake::DuckDb& duckdb, Period period,
                                                          size_t threads) {
  lake::WriteStats stats;
  stats.table = period == Period::hour ? "agg_market_hourly" : period == Period::day ? "agg_market_daily" : "agg_market_monthly";
  const auto ohlcv = partitions_of(store, "market_ohlcv");
  const auto features = partitions_of(store, "market_features");
  // Output partition -> input days (a month reads all of its days).
  std::map<std::string, std::vector<std::string>> groups;
  for (const auto& [dt, keys] : ohlcv) groups[period == Period::month ? dt.substr(0, 7) + "-01" : dt].push_back(dt);
  std::vector<lake::QueryPartition> partitions;
  for (const auto& [out_dt, days] : groups) {
    std::string ohlcv_files, feature_files;
    std::vector<std::string> inputs;
    for (const std::string& day : days) {
      ohlcv_files += (ohlcv_files.empty() ? "" : ", ") + lake::sql_string(lake::table_glob(store, "market_ohlcv", day));
      feature_files += (feature_files.empty() ? "" : ", ") + lake::sql_string(lake::table_glob(store, "market_features", day));
      inputs.insert(inputs.end(), ohlcv.at(day).begin(), ohlcv.at(day).end());
      if (auto f = features.find(day); f != features.end()) inputs.insert(inputs.end(), f->second.begin(), f->second.end());
    }
    const std::string bucket = period == Period::hour ? "date_trunc('hour', o.open_time) AS hour, "
                               : period == Period::month ? "date_trunc('month', o.open_time)::DATE AS month_start, " : "";
    const std::string bucket_group = period == Period::hour ? ", hour" : period == Period::month ? ", month_start" : "";
    partitions.push_back({out_dt, fmt::format(
        // Floating-point sums depend on their order, and parallel scans of several files vary it:
        // ordered aggregates keep re-runs byte-identical.
        "SELECT o.source, o.symbol, o.interval, {0}min(o.low) AS min_price, max(o.high) AS max_price, "
        "avg(o.close ORDER BY o.open_time) AS mean_price, arg_min(o.open, o.open_time) AS first_price, "
        "arg_max(o.close, o.open_time) AS last_price, sum(o.volume ORDER BY o.open_time) AS volume, "
        "sum(o.quote_volume ORDER BY o.open_time) AS quote_volume, "
        "stddev_samp(f.log_return ORDER BY o.open_time) AS volatility, count(*) AS candles "
        "FROM read_parquet([{1}]) o LEFT JOIN read_parquet([{2}]) f USING (source, symbol, interval, open_time) "
        "GROUP BY o.source, o.symbol, o.interval{3} ORDER BY o.source, o.symbol, o.interval{3}",
        bucket, ohlcv_files, feature_files, bucket_group), std::move(inputs)});
  }
  TRY_ASSIGN(const lake::WrittenCounts written,
             lake::write_query_partitions(store, duckdb, stats.table, partitions, lake::QueryReads::files, threads));
  stats.partitions = written.partitions;
  stats.rows_out = written.rows;
  stats.unchanged = written.unchanged;
  return stats;
}

core::Result<lake::WriteStats> build_agg_market_daily(lake::ObjectStore& store, lake::DuckDb& duckdb, size_t threads) {
  return build_market_aggregates(store, duckdb, Period::day, threads);
}

}  // namespace cryptolake::analytics
