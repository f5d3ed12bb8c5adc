#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/pipeline.hpp"

namespace cryptolake::cli {

void add_etl_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand(
      "etl", "Transform the raw zone into the curated tables (facts, features, aggregates, dimensions, sentiment, gaps), gated by quality checks");
  command->footer(
      "Work follows new data: a stage whose inputs (raw batches, the tables it reads, its settings) are as\n"
      "they were at its last complete run is reused; one with new raw batches or changed input partitions\n"
      "rewrites only the days they touch. The results are byte-identical to a full run.\n"
      "Memory: market_ohlcv and posts hold at most [etl] memory_mb (1024) of candles or posts; beyond, they wait\n"
      "on disk by day under $TMPDIR and are written a group of days at a time (same files).\n"
      "Examples:\n"
      "  cryptolake etl\n"
      "  cryptolake etl --full                      # run every stage\n"
      "  cryptolake etl --lake /data/lake --threads 4 --json");
  auto force = std::make_shared<bool>(false);
  auto full = std::make_shared<bool>(false);
  command->add_flag("--force", *force, "Publish partitions even when they fail an error-level quality check");
  command->add_flag("--full", *full, "Rebuild every stage from scratch, even those whose inputs did not change since their last run");
  command->callback([&global, &exit_code, force, full] {
    auto context = Context::create_writer(global, "etl");
    if (!context) { exit_code = report_error(context.error()); return; }
    exit_code = run_pipeline_and_report(**context, global.json, {.force = *force, .full = *full});
  });
}

}  // namespace cryptolake::cli
