// market_ohlcv → projections and projection_outcomes. Per series and candle, a Gaussian process
// (analytics/gaussian_process) fitted to the one-candle log returns of the last `window` closes,
// x in candles before the last, projects the close 1, 5 and 10 candles ahead: the mean and the
// variance of the sum of the next h returns (their joint covariance) give the log price relative
// to the last and its 95 % band. Returns, not price levels: a GP on levels smooths the last price
// away and lost to the last value by ~20 % MAE on the simulator, with bands covering 84–91 %; on
// returns it falls back to the last value where returns are unpredictable. When the actual close of that candle is in the lake, the outcome row says how far off it
// was, next to two baselines on the same candle: the last value, and drift (the window's mean log
// return carried forward).
//
// Deterministic per day, so a re-run writes the same bytes: hyperparameters are searched at the
// day's first projection from a fixed start, then every `refit_every` candles warm-started from
// the last search. Incremental: rewrites the days from the day before the first changed
// market_ohlcv day on (that day's late projections get their outcomes from the new one); only the
// last `last_days` days are projected and kept (older partitions are removed).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analytics/gaussian_process.hpp"
#include "core/config.hpp"
#include "lake/curated_writer.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "lake/write_stats.hpp"

namespace cryptolake::analytics {

inline constexpr int kProjectionHorizons[] = {1, 5, 10};  // in candles of the series' interval

struct Projection {
  int64_t made_at = 0;      // open time of the last candle fitted, µs
  int horizon = 0;          // candles ahead
  int64_t target_time = 0;  // open time of the candle projected, µs
  double last_price = 0;
  double mean = 0;          // projected close (a price)
  double std = 0;           // predictive std of the log price
  double lower_95 = 0, upper_95 = 0;
  double drift_mean = 0;    // the drift baseline's projected close
  GpKernel kernel;
};

struct ProjectionOutcome {
  const Projection* projection = nullptr;
  double actual = 0;
};

// One series, candle by candle in time order. Not thread-safe; one per series.
class SeriesProjector {
 public:
  SeriesProjector(const core::ProjectionsConfig& config, int64_t step_us) : config_(config), step_us_(step_us) {}

  // Adds a candle (its close). With `project`, and a full window, returns its projections; a new
  // day (or `restart`) starts the hyperparameter search again from the fixed start.
  [[nodiscard]] core::Result<std::vector<Projection>> add(int64_t open_time, double close, bool project);

 private:
  core::ProjectionsConfig config_;
  int64_t step_us_;
  std::vector<int64_t> times_;
  std::vector<double> closes_;
  std::optional<int64_t> day_;  // of the last projection
  int since_search_ = 0;
  GpKernel kernel_;
};

const std::vector<lake::ColumnSpec>& projections_schema();
const std::vector<lake::ColumnSpec>& projection_outcomes_schema();

// Accuracy per symbol and horizon over `projection_outcomes` (a view of that name), next to the
// two baselines on the same candles: symbol, horizon_minutes, n, mae, rmse, coverage_95,
// mean_band_width, mae_last_value, mae_drift. Filters: a symbol, made_at from/to (ISO text);
// values are quoted here.
std::string projection_accuracy_sql(std::optional<std::string_view> symbol, std::optional<std::string_view> from, std::optional<std::string_view> to);

// Writes both tables; `consumed`/`now_consumed` as market_features' (market_ohlcv versions).
[[nodiscard]] core::Result<lake::WriteStats> build_projections(lake::ObjectStore& store, lake::DuckDb& duckdb, const core::ProjectionsConfig& config,
                                                               size_t threads, const std::optional<std::string>& consumed = std::nullopt,
                                                               std::string* now_consumed = nullptr);

}  // namespace cryptolake::analytics
