#include "analytics/market_features.hpp"

#include <algorithm>

#include "analytics/rolling_features.hpp"
#include "lake/partition_writer.hpp"
#include "lake/layout.hpp"

namespace cryptolake::analytics {

using core::Timestamp;
using lake::ColumnType;

const std::vector<lake::ColumnSpec>& market_features_schema() {
  static const std::vector<lake::ColumnSpec> schema = {
      {"source", ColumnType::varchar},          {"symbol", ColumnType::varchar},
      {"interval", ColumnType::varchar},        {"open_time", ColumnType::timestamp_tz},
      {"close", ColumnType::float64},           {"volume", ColumnType::float64},
      {"prev_close", ColumnType::float64},      {"pct_change", ColumnType::float64},
      {"log_return", ColumnType::float64},      {"ma_5", ColumnType::float64},
      {"ma_long", ColumnType::float64},         {"rolling_std", ColumnType::float64},
      {"ma_long_window", ColumnType::bigint},   {"volatility_window", ColumnType::bigint}};
  return schema;
}

namespace {

struct Series {
  std::string source, symbol, interval;
};

struct Candle {
  uint32_t series;
  int64_t open_time;
  double close;
  double volume;
};

void add_optional(lake::ColumnBatch& batch, const std::optional<double>& value) {
  if (value) batch.add(*value);
  else batch.add_null();
}

}  // namespace

core::Result<lake::WriteStats> build_market_features(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                        const core::FeaturesConfig& config, size_t threads) {
  lake::WriteStats stats;
  stats.table = "market_features";
  const std::vector<std::string> inputs = [&] {
    auto keys = store.list(lake::layout::table_prefix("market_ohlcv"));
    return keys ? *keys : std::vector<std::string>{};
  }();
  if (inputs.empty()) return stats;
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  const std::string source = fmt::format("read_parquet({})", lake::sql_string(lake::table_glob(store, "market_ohlcv")));

  std::vector<Series> series;
  {
    TRY_ASSIGN(lake::QueryResult result,
               connection.query(fmt::format("SELECT DISTINCT source, symbol, interval FROM {} ORDER BY ALL", source)));
    for (size_t r = 0; r < result.row_count(); ++r) series.push_back({result.text(0, r), result.text(1, r), result.text(2, r)});
  }
  std::vector<Candle> candles;
  {
    TRY_ASSIGN(lake::QueryResult result, connection.query(fmt::format(
        "SELECT s.id, epoch_us(o.open_time), o.close, o.volume FROM {} o "
        "JOIN (SELECT source, symbol, interval, (row_number() OVER (ORDER BY source, symbol, interval) - 1)::BIGINT AS id "
        "      FROM (SELECT DISTINCT source, symbol, interval FROM {})) s USING (source, symbol, interval) "
        "ORDER BY s.id, o.open_time", source, source)));
    candles.reserve(result.row_count());
    while (duckdb_data_chunk chunk = result.fetch_chunk()) {
      const size_t n = duckdb_data_chunk_get_size(chunk);
      const auto* ids = static_cast<const int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)));
      const auto* times = static_cast<const int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 1)));
      const auto* closes = static_cast<const double*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 2)));
      const auto* volumes = static_cast<const double*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 3)));
      for (size_t i = 0; i < n; ++i) candles.push_back({static_cast<uint32_t>(ids[i]), times[i], closes[i], volumes[i]});
      duckdb_destroy_data_chunk(&chunk);
    }
  }
  stats.records_in = candles.size();

  std::vector<FeatureRow> features;
  features.reserve(candles.size());
  std::vector<double> closes;
  for (size_t begin = 0; begin < candles.size();) {
    size_t end = begin;
    closes.clear();
    while (end < candles.size() && candles[end].series == candles[begin].series) closes.push_back(candles[end++].close);
    auto rows = rolling_features(closes, config.ma_window, config.volatility_window);
    std::move(rows.begin(), rows.end(), std::back_inserter(features));
    begin = end;
  }

  // Files hold one day each, ordered by series then time: regroup by day.
  std::vector<uint32_t> order(candles.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto day_of = [&](uint32_t i) { return Timestamp::from_micros(candles[i].open_time).days_since_epoch(); };
  std::ranges::stable_sort(order, [&](uint32_t a, uint32_t b) { return day_of(a) < day_of(b); });
  const std::vector<lake::PartitionSlice> slices = lake::day_slices(order, day_of);
  const auto fill = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
    batch.reserve(slice.end - slice.begin);
    for (size_t k = slice.begin; k < slice.end; ++k) {
      const Candle& c = candles[order[k]];
      const FeatureRow& f = features[order[k]];
      const Series& s = series[c.series];
      batch.add(s.source);
      batch.add(s.symbol);
      batch.add(s.interval);
      batch.add(c.open_time);
      batch.add(c.close);
      batch.add(c.volume);
      add_optional(batch, f.prev_close);
      add_optional(batch, f.pct_change);
      add_optional(batch, f.log_return);
      batch.add(f.ma_5);
      batch.add(f.ma_long);
      add_optional(batch, f.rolling_std);
      batch.add(static_cast<int64_t>(config.ma_window));
      batch.add(static_cast<int64_t>(config.volatility_window));
      batch.end_row();
    }
  };
  stats.rows_out = candles.size();
  TRY_ASSIGN(stats.partitions, lake::write_partitions(store, duckdb, "market_features", market_features_schema(),
                                                           slices, fill, threads));
  return stats;
}

}  // namespace cryptolake::analytics
