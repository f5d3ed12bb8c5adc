#include "analytics/market_features.hpp"

#include <algorithm>
#include <map>

#include "analytics/candle_series.hpp"
#include "analytics/rolling_features.hpp"
#include "lake/partition_writer.hpp"

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

void add_optional(lake::ColumnBatch& batch, const std::optional<double>& value) {
  if (value) batch.add(*value);
  else batch.add_null();
}

}  // namespace

core::Result<lake::WriteStats> build_market_features(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                        const core::FeaturesConfig& config, size_t threads,
                                                        const std::optional<std::string>& consumed, std::string* now_consumed) {
  lake::WriteStats stats;
  stats.table = "market_features";
  // Enough rows before the rewritten days for every window (and the return that starts a volatility window).
  const int tail = std::max({config.ma_window, config.volatility_window + 1, 5});
  TRY_ASSIGN(const CandleSeries read, read_changed_candles(store, duckdb, {.consumed = consumed, .tail = tail}));
  if (now_consumed != nullptr) *now_consumed = read.versions;
  const std::vector<SeriesName>& series = read.series;
  const std::vector<SeriesCandle>& candles = read.candles;
  if (candles.empty()) return stats;
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
      const SeriesCandle& c = candles[order[k]];
      const FeatureRow& f = features[order[k]];
      const SeriesName& s = series[c.series];
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
