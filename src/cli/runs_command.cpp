// `cryptolake runs`: the scheduler's run history — each attempt of each task for its interval.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/decimal.hpp"
#include "query/result_format.hpp"
#include "schedule/run_history.hpp"

namespace cryptolake::cli {

namespace {

// An ISO time, a date, or a span back from now: 90m, 48h, 7d.
std::optional<core::Timestamp> parse_since(std::string_view text, core::Timestamp now) {
  if (auto t = core::Timestamp::parse_iso(text)) return t;
  if (text.size() < 2) return std::nullopt;
  const auto count = core::parse_int(text.substr(0, text.size() - 1));
  const char unit = text.back();
  const int64_t per = unit == 'm' ? core::Timestamp::kMicrosPerMinute : unit == 'h' ? core::Timestamp::kMicrosPerHour
                      : unit == 'd' ? core::Timestamp::kMicrosPerDay : 0;
  if (!count || *count < 0 || *count > 100'000 || per == 0) return std::nullopt;
  return now - *count * per;
}

std::optional<std::string> iso_or_null(const std::optional<core::Timestamp>& t) { return t ? std::optional(t->iso()) : std::nullopt; }
std::optional<std::string> count_or_null(const std::optional<int64_t>& n) { return n ? std::optional(std::to_string(*n)) : std::nullopt; }

}  // namespace

void add_runs_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("runs", "The scheduler's runs: each attempt of each task for its interval, with its state");
  struct Flags {
    std::string task, state, since, format = "table";
    size_t limit = 50;
  };
  auto flags = std::make_shared<Flags>();
  command->add_option("--task", flags->task, "Only this task");
  command->add_option("--state", flags->state, "Only this state")
      ->check(CLI::IsMember({"queued", "running", "success", "failed", "retrying", "skipped", "abandoned"}));
  command->add_option("--since", flags->since, "Runs whose interval starts at or after: an ISO time, a date, or 90m, 48h, 7d ago");
  command->add_option("--limit", flags->limit, "The table shows the newest this many (default 50; csv and json show all)")->check(CLI::Range(1, 100000));
  command->add_option("--format", flags->format, "table, csv or json")->check(CLI::IsMember({"table", "csv", "json"}));
  command->footer(
      "Columns: run_id, task, interval_start, interval_end, state, attempt, started_at, ended_at, rows_in, rows_out, error.\n"
      "States: queued, running, success, failed (after its last retry), retrying (an attempt failed; another follows),\n"
      "skipped (an upstream task failed), abandoned (the scheduler stopped first; it runs again).\n"
      "The same rows are the curated table `runs` (cryptolake sql \"SELECT * FROM runs\").\n"
      "Examples:\n"
      "  cryptolake runs\n"
      "  cryptolake runs --state failed --since 48h\n"
      "  cryptolake runs --task etl --format csv");
  command->callback([&global, &exit_code, flags] {
    auto ctx = Context::create(global);
    if (!ctx) { exit_code = report_error(ctx.error()); return; }
    std::optional<core::Timestamp> since;
    if (!flags->since.empty()) {
      since = parse_since(flags->since, (*ctx)->clock().now());
      if (!since) {
        exit_code = report_error({core::ErrorCode::invalid_argument, "--since takes an ISO time, a date, or a span like 90m, 48h, 7d"});
        return;
      }
    }
    query::ResultTable table;
    table.columns = {"run_id", "task", "interval_start", "interval_end", "state", "attempt", "started_at", "ended_at", "rows_in", "rows_out", "error"};
    table.numeric = {false, false, false, false, false, true, false, false, true, true, false};
    for (const schedule::TaskRun& run : schedule::RunHistory((*ctx)->store()).task_runs(since)) {
      if (!flags->task.empty() && run.task != flags->task) continue;
      if (!flags->state.empty() && schedule::state_name(run.state) != flags->state) continue;
      table.rows.push_back({run.run_id, run.task, run.interval_start.iso(), run.interval_end.iso(), std::string(schedule::state_name(run.state)),
                            std::to_string(run.attempt), iso_or_null(run.started_at), iso_or_null(run.ended_at), count_or_null(run.rows_in),
                            count_or_null(run.rows_out), run.error.empty() ? std::nullopt : std::optional(run.error)});
    }
    const std::string format = global.json ? "json" : flags->format;
    if (format == "table") {
      const size_t total = table.rows.size();
      if (total > flags->limit) table.rows.erase(table.rows.begin(), table.rows.end() - static_cast<std::ptrdiff_t>(flags->limit));
      if (total == 0) fmt::print(stderr, "no runs{}: `cryptolake schedule run --once` runs the schedule\n", flags->task.empty() && flags->state.empty() && !since ? " yet" : " match");
      else fmt::print("{}{}", query::format_table(table, flags->limit),
                      total > flags->limit ? fmt::format("(the newest {} of {} runs; --limit or --format csv for more)\n", flags->limit, total) : "");
    } else {
      fmt::print("{}", query::format_result(table, format == "csv" ? query::OutputFormat::csv : query::OutputFormat::json));
    }
    exit_code = 0;
  });
}

}  // namespace cryptolake::cli
