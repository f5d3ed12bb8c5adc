#include "analytics/alerts.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <span>
#include <tuple>

#include <fmt/format.h>

#include "analytics/candle_series.hpp"
#include "core/timestamp.hpp"
#include "lake/partition_versions.hpp"
#include "lake/partition_writer.hpp"

namespace cryptolake::analytics {

using core::AlertRuleConfig;
using core::Timestamp;
using lake::ColumnType;

const std::vector<lake::ColumnSpec>& alerts_schema() {
  static const std::vector<lake::ColumnSpec> schema = {
      {"rule", ColumnType::varchar},   {"kind", ColumnType::varchar},      {"source", ColumnType::varchar}, {"symbol", ColumnType::varchar},
      {"alert_time", ColumnType::timestamp_tz}, {"value", ColumnType::float64},    {"threshold", ColumnType::float64},
      {"message", ColumnType::varchar}};
  return schema;
}

namespace {


bool applies(const AlertRuleConfig& rule, const SeriesName& series) { return rule.symbol.empty() || rule.symbol == series.symbol; }

// The candle rules over one series (ordered by time); only written candles raise alerts.
void evaluate_series(const std::vector<AlertRuleConfig>& rules, const SeriesName& series, std::span<const SeriesCandle> candles,
                     std::vector<AlertRow>& out) {
  std::map<int64_t, double> close_at;  // open time → close, for the look-back of price_move
  for (const SeriesCandle& c : candles) close_at.emplace(c.open_time, c.close);
  for (const AlertRuleConfig& rule : rules) {
    if (!applies(rule, series)) continue;
    bool was_on = false;
    double sum = 0, sum_sq = 0;  // volume_zscore: volumes of the `minutes` candles before this one
    for (size_t i = 0; i < candles.size(); ++i) {
      const SeriesCandle& c = candles[i];
      bool on = false;
      double value = 0;
      if (rule.kind == "volume_zscore" && i > 0) {
        const double v = candles[i - 1].volume;
        sum += v;
        sum_sq += v * v;
        if (i > static_cast<size_t>(rule.minutes)) {
          const double gone = candles[i - 1 - static_cast<size_t>(rule.minutes)].volume;
          sum -= gone;
          sum_sq -= gone * gone;
        }
      }
      if (rule.kind == "price_move") {
        const auto before = close_at.find(c.open_time - int64_t{rule.minutes} * Timestamp::kMicrosPerMinute);
        if (before != close_at.end() && before->second > 0) {
          value = (c.close / before->second - 1) * 100;
          on = std::abs(value) > rule.percent;
        }
      } else if (rule.kind == "volume_zscore" && i >= static_cast<size_t>(rule.minutes)) {
        const auto n = static_cast<double>(rule.minutes);
        const double mean = sum / n, var = (sum_sq - sum * sum / n) / (n - 1);
        if (var > 0) {
          value = (c.volume - mean) / std::sqrt(var);
          on = value > rule.zscore;
        }
      } else {
        continue;  // band_broken: from projection_outcomes, below
      }
      if (on && !was_on && c.written) {
        const std::string at = Timestamp::from_micros(c.open_time).iso();
        const std::string message =
            rule.kind == "price_move"
                ? fmt::format("{} moved {:+.2f} % in {} min to {} at {}", series.symbol, value, rule.minutes, c.close, at)
                : fmt::format("{} volume {} is {:.1f} std above its {}-candle mean at {}", series.symbol, c.volume, value, rule.minutes, at);
        out.push_back({rule.name, rule.kind, series.source, series.symbol, c.open_time, value,
                       rule.kind == "price_move" ? rule.percent : rule.zscore, message});
      }
      was_on = on;
    }
  }
}

}  // namespace

core::Result<lake::WriteStats> build_alerts(lake::ObjectStore& store, lake::DuckDb& duckdb, const std::vector<AlertRuleConfig>& rules, int days,
                                            size_t threads, const std::optional<std::string>& consumed, std::string* now_consumed) {
  lake::WriteStats stats;
  stats.table = "alerts";
  int tail = 1;
  for (const AlertRuleConfig& rule : rules) tail = std::max(tail, rule.minutes + 1);
  ChangedDays what{.consumed = consumed, .tail = tail};
  TRY_ASSIGN(what.first_day, keep_last_days(store, days, {"alerts"}));
  TRY_ASSIGN(const CandleSeries read, read_changed_candles(store, duckdb, what));
  if (now_consumed != nullptr) *now_consumed = read.versions;
  stats.records_in = read.candles.size();
  if (read.candles.empty()) return stats;

  std::vector<AlertRow> rows;
  std::optional<int64_t> first_written;
  for (size_t begin = 0; begin < read.candles.size();) {
    size_t end = begin;
    while (end < read.candles.size() && read.candles[end].series == read.candles[begin].series) ++end;
    for (size_t i = begin; i < end; ++i) {
      if (read.candles[i].written) first_written = std::min(first_written.value_or(read.candles[i].open_time), read.candles[i].open_time);
    }
    evaluate_series(rules, read.series[read.candles[begin].series], std::span(read.candles).subspan(begin, end - begin), rows);
    begin = end;
  }

  // band_broken: the outcomes whose target falls on the rewritten days, actual outside the band.
  const bool any_band = std::ranges::any_of(rules, [](const AlertRuleConfig& r) { return r.kind == "band_broken"; });
  TRY_ASSIGN(const auto outcome_versions, lake::partition_versions(store, "projection_outcomes"));
  if (any_band && first_written && !outcome_versions.empty()) {
    TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
    TRY_ASSIGN(lake::QueryResult result, connection.query(fmt::format(
        "SELECT o.source, o.symbol, o.horizon, epoch_us(o.target_time), o.actual, p.lower_95, p.upper_95 "
        "FROM read_parquet({0}) o JOIN read_parquet({1}) p USING (source, symbol, interval, made_at, horizon) "
        "WHERE NOT o.inside_95 AND o.target_time >= make_timestamptz({2}::BIGINT) ORDER BY o.source, o.symbol, o.target_time",
        lake::sql_string(lake::table_glob(store, "projection_outcomes")), lake::sql_string(lake::table_glob(store, "projections")),
        Timestamp::from_micros(*first_written).days_since_epoch() * Timestamp::kMicrosPerDay)));
    for (size_t r = 0; r < result.row_count(); ++r) {
      const SeriesName series{result.text(0, r), result.text(1, r), ""};
      const int64_t horizon = result.int64(2, r), at = result.int64(3, r);
      const double actual = result.float64(4, r), lower = result.float64(5, r), upper = result.float64(6, r);
      for (const AlertRuleConfig& rule : rules) {
        if (rule.kind != "band_broken" || rule.horizon != horizon || !applies(rule, series)) continue;
        const double beyond = actual > upper ? actual - upper : actual - lower;  // signed distance past the band
        rows.push_back({rule.name, rule.kind, series.source, series.symbol, at, beyond, 0.0,
                        fmt::format("{} closed at {} outside the 95 % band [{:.6g}, {:.6g}] projected {} candle(s) before, at {}",
                                    series.symbol, actual, lower, upper, horizon, Timestamp::from_micros(at).iso())});
      }
    }
  }

  // Files by day of `at`, ordered by rule, source, symbol, time.
  const auto day_of = [](const AlertRow& a) { return Timestamp::from_micros(a.at).days_since_epoch(); };
  std::ranges::sort(rows, [&](const AlertRow& a, const AlertRow& b) {
    return std::tuple(day_of(a), a.rule, a.source, a.symbol, a.at) < std::tuple(day_of(b), b.rule, b.source, b.symbol, b.at);
  });
  const auto fill = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
    batch.reserve(slice.end - slice.begin);
    for (size_t r = slice.begin; r < slice.end; ++r) {
      const AlertRow& a = rows[r];
      batch.add(a.rule);
      batch.add(a.kind);
      batch.add(a.source);
      batch.add(a.symbol);
      batch.add(a.at);
      batch.add(a.value);
      batch.add(a.threshold);
      batch.add(a.message);
      batch.end_row();
    }
  };
  stats.rows_out = rows.size();
  const std::vector<lake::PartitionSlice> slices = lake::day_slices(rows, day_of);
  // A rewritten day without alerts now has none: its earlier file goes.
  std::set<std::string> rewritten, written;
  for (const SeriesCandle& c : read.candles) {
    if (c.written) rewritten.insert(Timestamp::from_micros(c.open_time).date());
  }
  for (const lake::PartitionSlice& slice : slices) written.insert(slice.dt);
  TRY(lake::remove_partitions(store, "alerts", [&](std::string_view dt) {
    const std::string day(dt);
    return rewritten.contains(day) && !written.contains(day);
  }));
  TRY_ASSIGN(stats.partitions, lake::write_partitions(store, duckdb, "alerts", alerts_schema(), slices, fill, threads));
  return stats;
}

core::Result<NewAlerts> alerts_after(lake::ObjectStore& store, lake::DuckDb& duckdb, std::optional<int64_t> after, size_t limit) {
  NewAlerts out;
  TRY_ASSIGN(const auto versions, lake::partition_versions(store, "alerts"));
  if (versions.empty()) return out;
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  const std::string where = after ? fmt::format(" WHERE alert_time > make_timestamptz({}::BIGINT)", *after) : "";
  const std::string table = fmt::format("read_parquet({})", lake::sql_string(lake::table_glob(store, "alerts")));
  TRY_ASSIGN(lake::QueryResult totals, connection.query(fmt::format("SELECT count(*), epoch_us(max(alert_time)) FROM {}{}", table, where)));
  out.total = static_cast<size_t>(totals.int64(0, 0));
  if (out.total == 0) return out;
  out.latest = totals.int64(1, 0);
  TRY_ASSIGN(lake::QueryResult result, connection.query(fmt::format(
      "SELECT rule, kind, source, symbol, epoch_us(alert_time), value, threshold, message FROM {}{} ORDER BY alert_time, rule, source, symbol LIMIT {}", table, where, limit)));
  for (size_t r = 0; r < result.row_count(); ++r) {
    out.rows.push_back({result.text(0, r), result.text(1, r), result.text(2, r), result.text(3, r), result.int64(4, r), result.float64(5, r),
                        result.float64(6, r), result.text(7, r)});
  }
  return out;
}

}  // namespace cryptolake::analytics
