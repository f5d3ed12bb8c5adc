#include "analytics/stream_stats.hpp"

#include <algorithm>

#include "analytics/candle_series.hpp"
#include "analytics/rolling_windows.hpp"
#include "core/timestamp.hpp"
#include "lake/partition_writer.hpp"

namespace cryptolake::analytics {

using lake::ColumnType;

const std::vector<lake::ColumnSpec>& stream_stats_schema() {
  static const std::vector<lake::ColumnSpec> schema = {
      {"source", ColumnType::varchar},      {"symbol", ColumnType::varchar},    {"minute", ColumnType::timestamp_tz},
      {"window_minutes", ColumnType::bigint}, {"count", ColumnType::bigint},  {"min", ColumnType::float64},
      {"max", ColumnType::float64},         {"mean", ColumnType::float64},      {"std", ColumnType::float64},
      {"vwap", ColumnType::float64},        {"return", ColumnType::float64},    {"trades", ColumnType::bigint}};
  return schema;
}

namespace {

struct Row {
  const SeriesCandle* candle;
  int window_minutes;
  WindowStats stats;
};

void add_optional(lake::ColumnBatch& batch, const std::optional<double>& value) {
  if (value) batch.add(*value);
  else batch.add_null();
}

}  // namespace

core::Result<lake::WriteStats> build_stream_stats(lake::ObjectStore& store, lake::DuckDb& duckdb, int days, size_t threads,
                                                  const std::optional<std::string>& consumed, std::string* now_consumed) {
  lake::WriteStats stats;
  stats.table = "stream_stats";
  ChangedDays what{.consumed = consumed, .tail = 60};
  TRY_ASSIGN(what.first_day, keep_last_days(store, days, {"stream_stats"}));
  TRY_ASSIGN(const CandleSeries read, read_changed_candles(store, duckdb, what));
  if (now_consumed != nullptr) *now_consumed = read.versions;
  stats.records_in = read.candles.size();

  std::vector<Row> rows;
  for (size_t begin = 0; begin < read.candles.size();) {
    size_t end = begin;
    while (end < read.candles.size() && read.candles[end].series == read.candles[begin].series) ++end;
    if (read.series[read.candles[begin].series].interval == "1m") {  // minute windows over minute candles
      std::vector<RollingWindow> windows;
      for (int minutes : kStreamWindowsMinutes) windows.emplace_back(int64_t{minutes} * 60'000'000);
      for (size_t i = begin; i < end; ++i) {
        const SeriesCandle& c = read.candles[i];
        for (size_t w = 0; w < windows.size(); ++w) {
          windows[w].add({c.open_time, c.close, c.volume, c.trades});
          if (c.written) rows.push_back({&c, kStreamWindowsMinutes[w], windows[w].stats()});
        }
      }
    }
    begin = end;
  }
  // By day, then series (symbol's source order), minute and window: candles are in series order.
  const auto day_of = [](const Row& r) { return core::Timestamp::from_micros(r.candle->open_time).days_since_epoch(); };
  std::ranges::stable_sort(rows, [&](const Row& a, const Row& b) { return day_of(a) < day_of(b); });
  const auto fill = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
    batch.reserve(slice.end - slice.begin);
    for (size_t r = slice.begin; r < slice.end; ++r) {
      const Row& row = rows[r];
      const SeriesName& name = read.series[row.candle->series];
      batch.add(name.source);
      batch.add(name.symbol);
      batch.add(row.candle->open_time);
      batch.add(int64_t{row.window_minutes});
      batch.add(row.stats.count);
      batch.add(row.stats.min);
      batch.add(row.stats.max);
      batch.add(row.stats.mean);
      add_optional(batch, row.stats.std);
      add_optional(batch, row.stats.vwap);
      batch.add(row.stats.ret);
      batch.add(row.stats.trades);
      batch.end_row();
    }
  };
  stats.rows_out = rows.size();
  TRY_ASSIGN(stats.partitions, lake::write_partitions(store, duckdb, "stream_stats", stream_stats_schema(), lake::day_slices(rows, day_of), fill, threads));
  return stats;
}

}  // namespace cryptolake::analytics
