// The batch pipeline as stages in dependency order: raw → market_ohlcv, market_ticks,
// dim_coin → posts (tagged against dim_coin) → coin_stats, coin_markets → market_features →
// hourly/daily/monthly aggregates → gaps → sentiment ↔ price → dim_date. Every partition a stage
// publishes passes the quality gate first; each finished stage is recorded in the run history.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/clock.hpp"
#include "lake/object_store.hpp"
#include "quality/publish_gate.hpp"
#include "schedule/stage.hpp"

namespace cryptolake::schedule {

struct StageResult {
  lake::WriteStats stats;
  double seconds = 0;
};

struct PipelineOptions {
  bool force = false;  // publish partitions that fail an error-level check anyway
  bool full = false;   // run every stage, even those whose inputs did not change
  std::vector<std::string> only = {};  // when given: these stages alone (the lander curates what it landed)
};

struct PipelineRun {
  std::string run_id;
  std::vector<StageResult> stages;
  std::vector<quality::CheckResult> checks;  // on the partitions written, also in dq_results
  std::vector<quality::HeldPartition> held;  // failed an error-level check: not published
};

// The stages of `etl`, in the order they must run.
std::vector<std::unique_ptr<Stage>> etl_stages();

[[nodiscard]] core::Result<PipelineRun> run_etl_pipeline(lake::ObjectStore& store, lake::DuckDb& duckdb, const core::Config& config,
                                                         size_t threads, io::Clock& clock, PipelineOptions options = {},
                                                         const StageProgress& progress = {});

}  // namespace cryptolake::schedule
