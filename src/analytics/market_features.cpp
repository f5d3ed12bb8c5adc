#include "analytics/market_features.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include <spdlog/spdlog.h>

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
                                                        const std::optional<std::string>& consumed, std::string* now_consumed, size_t group_rows) {
  lake::WriteStats stats;
  stats.table = "market_features";
  // Enough rows before the rewritten days for every window (and the return that starts a volatility window).
  const auto tail = static_cast<size_t>(std::max({config.ma_window, config.volatility_window + 1, 5}));
  // Each series' last `tail` closes before the group at hand: every window ends within a series'
  // current group and these, so a group of days at a time gives what the whole history would.
  std::vector<std::vector<double>> before;
  std::vector<double> closes;
  std::vector<SeriesCandle> rows;  // the group's written candles
  std::vector<FeatureRow> features;
  using Clock = std::chrono::steady_clock;
  Clock::duration computing{}, writing{};  // for --log-level debug: what the rest, reading, is not
  const Clock::time_point start = Clock::now();
  const auto visit = [&](const CandleGroup& group) -> core::Status {
    const Clock::time_point group_start = Clock::now();
    before.resize(group.series.size());
    rows.clear();
    features.clear();
    const std::span<const SeriesCandle> candles = group.candles;
    for (size_t begin = 0; begin < candles.size();) {
      // A run of one series (a day of it, or several when it is the only one): it goes on from `prior`.
      size_t end = begin;
      while (end < candles.size() && candles[end].series == candles[begin].series) ++end;
      std::vector<double>& prior = before[candles[begin].series];
      closes.assign(prior.begin(), prior.end());
      for (size_t k = begin; k < end; ++k) closes.push_back(candles[k].close);
      if (!group.tails) {
        const std::vector<FeatureRow> computed = rolling_features(closes, config.ma_window, config.volatility_window);
        for (size_t k = begin; k < end; ++k) {
          if (!candles[k].written) continue;
          rows.push_back(candles[k]);
          features.push_back(computed[prior.size() + (k - begin)]);
        }
      }
      prior.assign(closes.end() - static_cast<std::ptrdiff_t>(std::min(tail, closes.size())), closes.end());
      begin = end;
    }
    if (rows.empty()) return {};
    // Files hold one day each, ordered by series then time, as the group's candles already are.
    const auto day_of = [](const SeriesCandle& c) { return core::Timestamp::from_micros(c.open_time).days_since_epoch(); };
    const std::vector<lake::PartitionSlice> slices = lake::day_slices(rows, day_of);
    const auto fill = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
      batch.reserve(slice.end - slice.begin);
      for (size_t k = slice.begin; k < slice.end; ++k) {
        const SeriesCandle& c = rows[k];
        const FeatureRow& f = features[k];
        const SeriesName& s = group.series[c.series];
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
    stats.rows_out += rows.size();
    const Clock::time_point write_start = Clock::now();
    computing += write_start - group_start;
    TRY_ASSIGN(const size_t written, lake::write_partitions(store, duckdb, "market_features", market_features_schema(), slices, fill, threads));
    stats.partitions += written;
    writing += Clock::now() - write_start;
    return {};
  };
  // At least as many days as there are threads, so their partitions are written side by side, and
  // up to `group_rows` candles, so a group is read in one query and memory stays bounded.
  TRY_ASSIGN(const CandleDaysRead read, read_changed_candles_by_day(store, duckdb, {.consumed = consumed, .tail = static_cast<int>(tail)},
                                                                    {.min_days = std::max<size_t>(threads, 1), .max_rows = group_rows}, visit));
  if (now_consumed != nullptr) *now_consumed = read.versions;
  stats.records_in = read.candles;
  const auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  spdlog::debug("market_features: {} candles in {:.2f} s: reading {:.2f} s, computing {:.2f} s, writing {} partitions {:.2f} s", read.candles,
                seconds(Clock::now() - start), seconds(Clock::now() - start - computing - writing), seconds(computing), stats.partitions,
                seconds(writing));
  return stats;
}

}  // namespace cryptolake::analytics
