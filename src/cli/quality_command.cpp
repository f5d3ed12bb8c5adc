// `cryptolake quality`: run every data-quality check over the lake, record the results in
// dq_results, print a report, and exit 1 when an error-level check fails.
#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/pipeline.hpp"
#include "schedule/run_history.hpp"
#include "quality/check_runner.hpp"

namespace cryptolake::cli {

void add_quality_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("quality", "Run the data-quality checks; exit 1 when an error-level check fails");
  command->footer(
      "Checks: built-in defaults for every table plus [[quality.checks]] in cryptolake.toml; see the README.\n"
      "Examples:\n"
      "  cryptolake quality\n"
      "  cryptolake quality --changed\n"
      "  cryptolake quality --table market_ohlcv --json");
  auto table = std::make_shared<std::string>();
  auto changed = std::make_shared<bool>(false);
  command->add_option("--table", *table, "Only this table");
  command->add_flag("--changed", *changed,
                    "Only partitions whose data (or what their checks read) changed since the last --changed run; "
                    "freshness checks always run. What the schedule runs every hour");
  command->callback([&global, &exit_code, table, changed] {
    auto context = Context::create_writer(global, "quality");
    if (!context) { exit_code = report_error(context.error()); return; }
    auto duckdb = (*context)->duckdb();
    if (!duckdb) { exit_code = report_error(duckdb.error()); return; }
    auto checks = quality::checks_from_config((*context)->config().quality);
    if (!checks) { exit_code = report_error(checks.error()); return; }
    const core::Timestamp now = (*context)->clock().now();
    const auto started = std::chrono::steady_clock::now();
    const std::string run_id = schedule::new_run_id(now);
    // --changed: the versions checked now are recorded only once every result is in dq_results.
    std::optional<quality::TableVersions> before, checking;
    if (*changed) {
      before = quality::checked_versions((*context)->store());
      auto published = quality::published_versions((*context)->store());
      if (!published) { exit_code = report_error(published.error()); return; }
      checking = std::move(*published);
    }
    const std::optional<quality::ChangedSince> since =
        before ? std::optional<quality::ChangedSince>(quality::ChangedSince{*before, *checking}) : std::nullopt;
    auto results = quality::run_checks((*context)->store(), **duckdb, *checks, {run_id, now}, *table, since ? &*since : nullptr);
    if (results) {
      schedule::RunHistory history((*context)->store());
      (void)history.record({run_id, "quality", (*context)->clock().now(),
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), results->size(), 0});
    }
    if (!results) { exit_code = report_error(results.error()); return; }
    if (auto status = quality::append_results((*context)->store(), **duckdb, *results); !status) {
      exit_code = report_error(status.error());
      return;
    }
    // A failing check keeps its partitions due: a retry or the next run checks them again.
    if (checking && table->empty() && !quality::has_failed_error(*results)) {
      if (auto recorded = quality::record_checked_versions((*context)->store(), *checking); !recorded) {
        exit_code = report_error(recorded.error());
        return;
      }
    }
    report_task_rows(**context, results->size(), static_cast<size_t>(std::ranges::count(*results, std::string("pass"), &quality::CheckResult::status)));
    if (global.json) {
      std::string out = "[";
      for (size_t i = 0; i < results->size(); ++i) {
        const auto& r = (*results)[i];
        out += fmt::format("{}{{\"check\":\"{}\",\"table\":\"{}\",\"partition\":\"{}\",\"status\":\"{}\",\"severity\":\"{}\",\"observed\":{}}}",
                           i ? "," : "", r.check, r.table, r.partition, r.status, quality::to_string(r.severity), r.observed);
      }
      fmt::print("{}]\n", out);
    } else {
      fmt::print("{}", quality::format_report(*results));
    }
    exit_code = quality::has_failed_error(*results) ? 1 : 0;
  });
}

}  // namespace cryptolake::cli
