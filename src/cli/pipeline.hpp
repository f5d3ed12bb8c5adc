// The transform stages in dependency order — raw → market_ohlcv, posts → market_features →
// agg_market_daily — with timing per stage and a summary table for people or JSON.
#pragma once

#include <string>
#include <vector>

#include "cli/context.hpp"
#include "transform/etl_stats.hpp"

namespace cryptolake::cli {

struct StageResult {
  transform::EtlStats stats;
  double seconds = 0;
};

struct PipelineOptions {
  bool force = false;  // publish partitions that fail an error-level check anyway
};

// Runs the stages with every partition gated by the quality checks; the checks' results go to
// dq_results and held partitions are reported on stderr.
[[nodiscard]] core::Result<std::vector<StageResult>> run_pipeline(Context& context, PipelineOptions options = {});

// An id for a run: run-<UTC time>-<pid>.
std::string new_run_id(core::Timestamp now);

std::string format_summary(const std::vector<StageResult>& stages);
// Runs the pipeline and prints its summary (JSON when asked); returns the exit code.
int run_pipeline_and_report(Context& context, bool json, PipelineOptions options = {});
std::string summary_json(const std::vector<StageResult>& stages);

}  // namespace cryptolake::cli
