#include "analytics/projections.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "analytics/candle_series.hpp"
#include "core/market.hpp"
#include "core/timestamp.hpp"
#include "lake/partition_writer.hpp"
#include "lake/worker_pool.hpp"

namespace cryptolake::analytics {

using core::Timestamp;
using lake::ColumnType;

namespace {

constexpr double kZ95 = 1.959963984540054;  // the 97.5 % quantile of the standard normal
constexpr GpKernel kSearchStart{};           // each day's first search starts here

int64_t day_of(int64_t micros) { return Timestamp::from_micros(micros).days_since_epoch(); }

}  // namespace

core::Result<std::vector<Projection>> SeriesProjector::add(int64_t open_time, double close, bool project) {
  if (!(close > 0) || !std::isfinite(close)) return core::fail(core::ErrorCode::invalid_argument, "close {} is not a positive price", close);
  times_.push_back(open_time);
  closes_.push_back(close);
  const auto window = static_cast<size_t>(config_.window);
  if (times_.size() > window) {
    times_.erase(times_.begin());
    closes_.erase(closes_.begin());
  }
  std::vector<Projection> out;
  if (!project || times_.size() < window) return out;

  // The process is the one-candle log return; x: candles before the last (gaps keep their width).
  std::vector<double> x(window - 1), y(window - 1);
  for (size_t i = 1; i < window; ++i) {
    x[i - 1] = static_cast<double>(times_[i] - open_time) / static_cast<double>(step_us_);
    y[i - 1] = std::log(closes_[i] / closes_[i - 1]);
  }
  const int64_t day = day_of(open_time);
  if (day_ != day || since_search_ >= config_.refit_every) {
    if (day_ != day) kernel_ = kSearchStart;
    day_ = day;
    since_search_ = 0;
    // ℓ no longer than the window: a longer one makes the RBF a constant, i.e. the window's mean
    // return carried on (drift), which the simulated and real series both punish.
    GpBounds bounds;
    bounds.length_scale_max = static_cast<double>(config_.window) / 4.0;
    if (auto search = optimise_kernel(x, y, kernel_, bounds)) kernel_ = search->kernel;  // else: keep the last kernel
  }
  ++since_search_;
  TRY_ASSIGN(const GaussianProcess gp, GaussianProcess::fit(x, y, kernel_));
  // Drift: the window's mean log return per candle, carried forward.
  const double drift = std::log(close / closes_.front()) / std::max(1.0, -static_cast<double>(times_.front() - open_time) / static_cast<double>(step_us_));
  std::vector<double> ahead;
  for (int h : kProjectionHorizons) {
    while (static_cast<int>(ahead.size()) < h) ahead.push_back(static_cast<double>(ahead.size() + 1));
    const GpPrediction p = gp.predict_sum(ahead);  // the log price h candles on, relative to the last
    out.push_back({open_time, h, open_time + h * step_us_, close, close * std::exp(p.mean), p.std, close * std::exp(p.mean - kZ95 * p.std),
                   close * std::exp(p.mean + kZ95 * p.std), close * std::exp(drift * h), kernel_});
  }
  return out;
}

const std::vector<lake::ColumnSpec>& projections_schema() {
  static const std::vector<lake::ColumnSpec> schema = {
      {"source", ColumnType::varchar},          {"symbol", ColumnType::varchar},         {"interval", ColumnType::varchar},
      {"made_at", ColumnType::timestamp_tz},    {"horizon", ColumnType::bigint},         {"target_time", ColumnType::timestamp_tz},
      {"last_price", ColumnType::float64},      {"mean", ColumnType::float64},           {"std", ColumnType::float64},
      {"lower_95", ColumnType::float64},        {"upper_95", ColumnType::float64},       {"drift_mean", ColumnType::float64},
      {"model", ColumnType::varchar},           {"hyperparameters", ColumnType::varchar}};
  return schema;
}

const std::vector<lake::ColumnSpec>& projection_outcomes_schema() {
  static const std::vector<lake::ColumnSpec> schema = {
      {"source", ColumnType::varchar},             {"symbol", ColumnType::varchar},          {"interval", ColumnType::varchar},
      {"made_at", ColumnType::timestamp_tz},       {"horizon", ColumnType::bigint},          {"target_time", ColumnType::timestamp_tz},
      {"actual", ColumnType::float64},             {"mean", ColumnType::float64},            {"error", ColumnType::float64},
      {"abs_error", ColumnType::float64},          {"squared_error", ColumnType::float64},   {"inside_95", ColumnType::boolean},
      {"band_width", ColumnType::float64},         {"last_price", ColumnType::float64},      {"last_value_abs_error", ColumnType::float64},
      {"drift_abs_error", ColumnType::float64}};
  return schema;
}

namespace {

constexpr std::string_view kModel = "gp: C*RBF + White on one-candle log returns, summed over the horizon";

struct SeriesOutput {
  std::vector<Projection> projections;
  std::vector<std::pair<size_t, double>> outcomes;  // projection index, actual close
  size_t failed = 0;                                 // candles without a projection (a fit that failed)
};

SeriesOutput project_series(const core::ProjectionsConfig& config, int64_t step_us, std::span<const SeriesCandle> candles) {
  SeriesOutput out;
  SeriesProjector projector(config, step_us);
  std::multimap<int64_t, size_t> pending;  // target time → projection
  for (const SeriesCandle& c : candles) {
    for (auto [it, end] = pending.equal_range(c.open_time); it != end; ++it) out.outcomes.emplace_back(it->second, c.close);
    pending.erase(pending.begin(), pending.upper_bound(c.open_time));
    auto made = projector.add(c.open_time, c.close, c.written);
    if (!made) {
      ++out.failed;
      continue;
    }
    for (Projection& p : *made) {
      pending.emplace(p.target_time, out.projections.size());
      out.projections.push_back(std::move(p));
    }
  }
  return out;
}

std::string hyperparameters_json(const GpKernel& k) {
  return fmt::format(R"({{"constant":{:.6g},"length_scale":{:.6g},"noise":{:.6g}}})", k.constant, k.length_scale, k.noise);
}

}  // namespace

std::string projection_accuracy_sql(std::optional<std::string_view> symbol, std::optional<std::string_view> from, std::optional<std::string_view> to) {
  std::string where;
  const auto add = [&](const std::string& condition) { where += (where.empty() ? " WHERE " : " AND ") + condition; };
  if (symbol) add("symbol = " + lake::sql_string(*symbol));
  if (from) add(fmt::format("made_at >= {}::TIMESTAMPTZ", lake::sql_string(*from)));
  if (to) add(fmt::format("made_at < {}::TIMESTAMPTZ", lake::sql_string(*to)));
  return "SELECT symbol, ((epoch(target_time) - epoch(made_at)) / 60)::BIGINT AS horizon_minutes, count(*) AS n, "
         "round(avg(abs_error), 6) AS mae, round(sqrt(avg(squared_error)), 6) AS rmse, round(avg(inside_95::INTEGER), 4) AS coverage_95, "
         "round(avg(band_width), 6) AS mean_band_width, round(avg(last_value_abs_error), 6) AS mae_last_value, "
         "round(avg(drift_abs_error), 6) AS mae_drift FROM projection_outcomes" +
         where + " GROUP BY ALL ORDER BY symbol, horizon_minutes";
}

core::Result<lake::WriteStats> build_projections(lake::ObjectStore& store, lake::DuckDb& duckdb, const core::ProjectionsConfig& config, size_t threads,
                                                 const std::optional<std::string>& consumed, std::string* now_consumed) {
  lake::WriteStats stats;
  stats.table = "projections";
  ChangedDays what{.consumed = consumed, .tail = config.window, .days_before = 1};
  TRY_ASSIGN(what.first_day, keep_last_days(store, config.last_days, {"projections", "projection_outcomes"}));
  TRY_ASSIGN(const CandleSeries read, read_changed_candles(store, duckdb, what));
  if (now_consumed != nullptr) *now_consumed = read.versions;
  if (read.candles.empty()) return stats;
  stats.records_in = read.candles.size();

  // Each series on its own, spread over the threads.
  std::vector<std::pair<size_t, size_t>> ranges;  // [begin, end) of each series in read.candles
  for (size_t begin = 0; begin < read.candles.size();) {
    size_t end = begin;
    while (end < read.candles.size() && read.candles[end].series == read.candles[begin].series) ++end;
    ranges.emplace_back(begin, end);
    begin = end;
  }
  std::vector<SeriesOutput> outputs(ranges.size());
  lake::for_each_on_threads(threads, ranges.size(), [&](size_t, size_t i) {
    const auto [begin, end] = ranges[i];
    const int64_t step = core::interval_micros(read.series[read.candles[begin].series].interval);
    if (step == 0) return;  // an interval without a fixed length ("1M"): no projections
    outputs[i] = project_series(config, step, std::span(read.candles).subspan(begin, end - begin));
  });

  // Rows by day of made_at, then series, then time, then horizon.
  struct Ref {
    size_t series_output, index;
    int64_t day;
  };
  std::vector<Ref> projections, outcomes;
  for (size_t s = 0; s < outputs.size(); ++s) {
    for (size_t i = 0; i < outputs[s].projections.size(); ++i) projections.push_back({s, i, day_of(outputs[s].projections[i].made_at)});
    for (size_t i = 0; i < outputs[s].outcomes.size(); ++i) {
      outcomes.push_back({s, i, day_of(outputs[s].projections[outputs[s].outcomes[i].first].made_at)});
    }
    stats.skipped += outputs[s].failed;
  }
  const auto by_day = [](const Ref& a, const Ref& b) { return a.day < b.day; };
  std::ranges::stable_sort(projections, by_day);
  std::ranges::stable_sort(outcomes, by_day);
  // Outcomes come in target order; within a day they are listed in made_at, horizon order.
  for (size_t begin = 0; begin < outcomes.size();) {
    size_t end = begin;
    while (end < outcomes.size() && outcomes[end].series_output == outcomes[begin].series_output && outcomes[end].day == outcomes[begin].day) ++end;
    std::sort(outcomes.begin() + static_cast<std::ptrdiff_t>(begin), outcomes.begin() + static_cast<std::ptrdiff_t>(end), [&](const Ref& a, const Ref& b) {
      const auto& pa = outputs[a.series_output].outcomes[a.index].first;
      const auto& pb = outputs[b.series_output].outcomes[b.index].first;
      return pa < pb;
    });
    begin = end;
  }
  const auto series_of = [&](size_t s) -> const SeriesName& { return read.series[read.candles[ranges[s].first].series]; };
  const auto add_key = [&](lake::ColumnBatch& batch, size_t s, const Projection& p) {
    const SeriesName& name = series_of(s);
    batch.add(name.source);
    batch.add(name.symbol);
    batch.add(name.interval);
    batch.add(p.made_at);
    batch.add(int64_t{p.horizon});
    batch.add(p.target_time);
  };
  const auto fill_projections = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
    batch.reserve(slice.end - slice.begin);
    for (size_t r = slice.begin; r < slice.end; ++r) {
      const Projection& p = outputs[projections[r].series_output].projections[projections[r].index];
      add_key(batch, projections[r].series_output, p);
      batch.add(p.last_price);
      batch.add(p.mean);
      batch.add(p.std);
      batch.add(p.lower_95);
      batch.add(p.upper_95);
      batch.add(p.drift_mean);
      batch.add(kModel);
      batch.add(hyperparameters_json(p.kernel));
      batch.end_row();
    }
  };
  const auto fill_outcomes = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
    batch.reserve(slice.end - slice.begin);
    for (size_t r = slice.begin; r < slice.end; ++r) {
      const auto& [index, actual] = outputs[outcomes[r].series_output].outcomes[outcomes[r].index];
      const Projection& p = outputs[outcomes[r].series_output].projections[index];
      add_key(batch, outcomes[r].series_output, p);
      const double error = actual - p.mean;
      batch.add(actual);
      batch.add(p.mean);
      batch.add(error);
      batch.add(std::abs(error));
      batch.add(error * error);
      batch.add(int64_t{actual >= p.lower_95 && actual <= p.upper_95});
      batch.add(p.upper_95 - p.lower_95);
      batch.add(p.last_price);
      batch.add(std::abs(actual - p.last_price));
      batch.add(std::abs(actual - p.drift_mean));
      batch.end_row();
    }
  };
  const auto day = [](const Ref& r) { return r.day; };
  TRY_ASSIGN(stats.partitions, lake::write_partitions(store, duckdb, "projections", projections_schema(), lake::day_slices(projections, day),
                                                      fill_projections, threads));
  TRY_ASSIGN(const size_t outcome_partitions, lake::write_partitions(store, duckdb, "projection_outcomes", projection_outcomes_schema(),
                                                                     lake::day_slices(outcomes, day), fill_outcomes, threads));
  stats.partitions += outcome_partitions;
  stats.rows_out = projections.size();
  return stats;
}

}  // namespace cryptolake::analytics
