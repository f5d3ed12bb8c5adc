#include "analytics/market_features.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include "analytics/rolling_features.hpp"
#include "lake/partition_writer.hpp"
#include "lake/layout.hpp"
#include "lake/partition_versions.hpp"

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
  bool written;  // false: a row before the rewritten days, read for the windows only
};

void add_optional(lake::ColumnBatch& batch, const std::optional<double>& value) {
  if (value) batch.add(*value);
  else batch.add_null();
}

}  // namespace

namespace {

// "dt\tversion" lines: the market_ohlcv partitions a run read.
std::string versions_text(const std::map<std::string, std::string>& versions) {
  std::string text;
  for (const auto& [dt, version] : versions) text += fmt::format("{}\t{}\n", dt, version);
  return text;
}

// The first day whose partition is new or changed since `consumed`; nothing when a day was
// removed or the text is not a ledger (rebuild all), "" when nothing changed.
std::optional<std::string> first_changed_day(const std::map<std::string, std::string>& now, const std::string& consumed) {
  std::map<std::string, std::string> then;
  std::istringstream in(consumed);
  for (std::string line; std::getline(in, line);) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) return std::nullopt;
    then[line.substr(0, tab)] = line.substr(tab + 1);
  }
  for (const auto& [dt, version] : then) {
    if (!now.contains(dt)) return std::nullopt;
  }
  for (const auto& [dt, version] : now) {
    const auto it = then.find(dt);
    if (it == then.end() || it->second != version) return dt;
  }
  return std::string();
}

std::string globs(const lake::ObjectStore& store, const std::vector<std::string>& dts) {
  std::string list;
  for (const std::string& dt : dts) list += (list.empty() ? "" : ", ") + lake::sql_string(lake::table_glob(store, "market_ohlcv", dt));
  return "[" + list + "]";
}

}  // namespace

core::Result<lake::WriteStats> build_market_features(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                        const core::FeaturesConfig& config, size_t threads,
                                                        const std::optional<std::string>& consumed, std::string* now_consumed) {
  lake::WriteStats stats;
  stats.table = "market_features";
  TRY_ASSIGN(const auto versions, lake::partition_versions(store, "market_ohlcv"));
  if (now_consumed != nullptr) *now_consumed = versions_text(versions);
  if (versions.empty()) return stats;
  // Days rewritten: from `from` on; the days before are read only for the windows' tails.
  const std::optional<std::string> changed = consumed ? first_changed_day(versions, *consumed) : std::nullopt;
  if (changed && changed->empty()) return stats;  // nothing changed
  const std::string from = changed.value_or(versions.begin()->first);
  std::vector<std::string> rewritten, before;
  for (const auto& [dt, version] : versions) (dt >= from ? rewritten : before).push_back(dt);
  // Enough rows before `from` for every window (and the return that starts a volatility window).
  const int tail = std::max({config.ma_window, config.volatility_window + 1, 5});
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());

  // The rows read: the rewritten days, and each series' last `tail` rows before them. A week
  // back is enough for minute candles; when a series has fewer rows there, read everything before.
  const auto rows_sql = [&](size_t days_back) {
    const std::string recent = fmt::format("SELECT source, symbol, interval, open_time, close, volume, true AS written FROM read_parquet({})",
                                           globs(store, rewritten));
    if (before.empty()) return recent;
    const std::vector<std::string> window(before.end() - static_cast<std::ptrdiff_t>(std::min(days_back, before.size())), before.end());
    return fmt::format("{} UNION ALL SELECT source, symbol, interval, open_time, close, volume, false FROM read_parquet({}) "
                       "QUALIFY row_number() OVER (PARTITION BY source, symbol, interval ORDER BY open_time DESC) <= {}",
                       recent, globs(store, window), tail);
  };
  std::string rows_read = rows_sql(7);
  if (before.size() > 7) {
    TRY_ASSIGN(lake::QueryResult short_tails, connection.query(fmt::format(
        "SELECT count(*) FROM (SELECT source, symbol, interval, count(*) FILTER (WHERE NOT written) AS n FROM ({}) GROUP BY ALL) "
        "WHERE n < {}", rows_read, tail)));
    if (short_tails.int64(0, 0) > 0) rows_read = rows_sql(before.size());
  }

  TRY(connection.execute(fmt::format("CREATE OR REPLACE TEMP TABLE feature_rows AS {}", rows_read)));
  std::vector<Series> series;
  {
    TRY_ASSIGN(lake::QueryResult result, connection.query("SELECT DISTINCT source, symbol, interval FROM feature_rows ORDER BY ALL"));
    for (size_t r = 0; r < result.row_count(); ++r) series.push_back({result.text(0, r), result.text(1, r), result.text(2, r)});
  }
  std::vector<Candle> candles;
  {
    TRY_ASSIGN(lake::QueryResult result, connection.query(
        "SELECT s.id, epoch_us(r.open_time), r.close, r.volume, r.written FROM feature_rows r "
        "JOIN (SELECT source, symbol, interval, (row_number() OVER (ORDER BY source, symbol, interval) - 1)::BIGINT AS id "
        "      FROM (SELECT DISTINCT source, symbol, interval FROM feature_rows)) s USING (source, symbol, interval) "
        "ORDER BY s.id, r.open_time"));
    candles.reserve(result.row_count());
    while (duckdb_data_chunk chunk = result.fetch_chunk()) {
      const size_t n = duckdb_data_chunk_get_size(chunk);
      const auto* ids = static_cast<const int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)));
      const auto* times = static_cast<const int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 1)));
      const auto* closes = static_cast<const double*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 2)));
      const auto* volumes = static_cast<const double*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 3)));
      const auto* written = static_cast<const bool*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 4)));
      for (size_t i = 0; i < n; ++i) candles.push_back({static_cast<uint32_t>(ids[i]), times[i], closes[i], volumes[i], written[i]});
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
  std::vector<uint32_t> order;
  order.reserve(candles.size());
  for (uint32_t i = 0; i < candles.size(); ++i) {
    if (candles[i].written) order.push_back(i);
  }
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
  stats.rows_out = order.size();
  TRY_ASSIGN(stats.partitions, lake::write_partitions(store, duckdb, "market_features", market_features_schema(),
                                                           slices, fill, threads));
  return stats;
}

}  // namespace cryptolake::analytics
