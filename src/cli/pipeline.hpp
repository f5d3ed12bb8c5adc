// Running the batch pipeline (schedule/etl_pipeline) from a command, with a progress line per
// stage, and its summary table for people or JSON.
#pragma once

#include <string>
#include <vector>

#include "cli/context.hpp"
#include "schedule/etl_pipeline.hpp"

namespace cryptolake::cli {

using schedule::PipelineOptions;
using schedule::StageResult;

// Runs the stages with every partition gated by the quality checks; held partitions are
// reported on stderr.
[[nodiscard]] core::Result<std::vector<StageResult>> run_pipeline(Context& context, PipelineOptions options = {});

std::string format_summary(const std::vector<StageResult>& stages);
// Runs the pipeline and prints its summary (JSON when asked); returns the exit code.
int run_pipeline_and_report(Context& context, bool json, PipelineOptions options = {});
std::string summary_json(const std::vector<StageResult>& stages);

}  // namespace cryptolake::cli
