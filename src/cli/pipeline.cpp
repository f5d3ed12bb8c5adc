#include "cli/pipeline.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "io/real/progress_line.hpp"

namespace cryptolake::cli {

core::Result<std::vector<StageResult>> run_pipeline(Context& context, PipelineOptions options) {
  TRY_ASSIGN(lake::DuckDb* duckdb, context.duckdb());
  std::optional<io::ProgressLine> line;
  std::string current;
  const auto progress = [&](std::string_view stage, size_t done, size_t total) {
    if (stage != current) {
      line.reset();
      current = stage;
      line.emplace(current);
    }
    line->update(done, total);
  };
  auto run = schedule::run_etl_pipeline(context.store(), *duckdb, context.config(), context.threads(), context.clock(), options, progress);
  line.reset();
  if (!run) return std::unexpected(run.error());
  const size_t failed = static_cast<size_t>(std::ranges::count(run->checks, std::string("fail"), &quality::CheckResult::status));
  spdlog::info("quality: {} checks on the written partitions, {} failed", run->checks.size(), failed);
  for (const auto& held : run->held) {
    fmt::print(stderr, "held: {} dt={} failed an error-level check and was not published; see `cryptolake quality`, "
               "inspect {}, or publish it with `etl --force`\n", held.table, held.dt, held.path);
  }
  return std::move(run->stages);
}

int run_pipeline_and_report(Context& context, bool json, PipelineOptions options) {
  auto stages = run_pipeline(context, options);
  if (!stages) return report_error(stages.error());
  fmt::print("{}", json ? summary_json(*stages) + "\n" : format_summary(*stages));
  size_t rows_in = 0, rows_out = 0;  // of the stages that ran (a reused stage did no work)
  for (const StageResult& s : *stages) {
    if (s.stats.reused) continue;
    rows_in += s.stats.records_in;
    rows_out += s.stats.rows_out;
  }
  report_task_rows(context, rows_in, rows_out);
  return 0;
}

std::string format_summary(const std::vector<StageResult>& stages) {
  std::string out = fmt::format("{:<18} {:>10} {:>10} {:>11} {:>11} {:>10} {:>8}\n", "table", "records in", "rows out",
                                "duplicates", "quarantined", "partitions", "seconds");
  size_t skipped = 0, unchanged = 0, reused = 0;
  for (const StageResult& s : stages) {
    if (s.stats.reused) {
      ++reused;
      out += fmt::format("{:<18} {:>10} {:>10} {:>11} {:>11} {:>10} {:>8}\n", s.stats.table, "", s.stats.rows_out, "", "", "reused",
                         fmt::format("{:.2f}", s.seconds));
      continue;
    }
    unchanged += s.stats.unchanged;
    out += fmt::format("{:<18} {:>10} {:>10} {:>11} {:>11} {:>10} {:>8.2f}\n", s.stats.table, s.stats.records_in,
                       s.stats.rows_out, s.stats.duplicates, s.stats.quarantined, s.stats.partitions, s.seconds);
    skipped += s.stats.skipped;
  }
  if (reused > 0) {
    out += fmt::format("({} stages reused their last results: their inputs had not changed; `etl --full` runs them all)\n", reused);
  }
  if (unchanged > 0) out += fmt::format("({} derived partitions were left as they were: their inputs had not changed)\n", unchanged);
  if (skipped > 0) out += fmt::format("({} candles still open when received were left out; a later poll brings them closed)\n", skipped);
  return out;
}

std::string summary_json(const std::vector<StageResult>& stages) {
  std::string out = "[";
  for (size_t i = 0; i < stages.size(); ++i) {
    const auto& s = stages[i].stats;
    out += fmt::format(
        "{}{{\"table\":\"{}\",\"records_in\":{},\"rows_out\":{},\"duplicates\":{},\"quarantined\":{},"
        "\"skipped_open\":{},\"partitions\":{},\"raw_bytes\":{},\"reused\":{},\"seconds\":{:.3f}}}",
        i ? "," : "", s.table, s.records_in, s.rows_out, s.duplicates, s.quarantined, s.skipped, s.partitions, s.bytes,
        s.reused ? "true" : "false", stages[i].seconds);
  }
  return out + "]";
}

}  // namespace cryptolake::cli
