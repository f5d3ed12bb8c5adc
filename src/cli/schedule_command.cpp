// `cryptolake schedule validate`: the scheduler's DAG (the config's [[schedule.tasks]], or the
// default one) checked, with each task's next run.
#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "io/real/system_clock.hpp"
#include "query/result_format.hpp"
#include "schedule/dag.hpp"

namespace cryptolake::cli {

namespace {

// What a task may run: the commands that do a bounded piece of work (not serve, demo, bench or
// the scheduler itself).
const std::set<std::string, std::less<>> kTaskCommands = {"analyze", "catalog", "etl", "gaps", "import", "ingest",
                                                          "quality", "simulate", "sql", "stream"};

}  // namespace

void add_schedule_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("schedule", "The scheduler's DAG of tasks ([[schedule.tasks]] in cryptolake.toml, or the default)");
  command->require_subcommand(1);
  auto* validate = command->add_subcommand("validate", "Check the DAG: cron text, dependencies, cycles, commands; list each task's next run");
  validate->footer(
      "Problems name the config line of their task; exit 1 when there is any.\n"
      "Examples:\n"
      "  cryptolake schedule validate\n"
      "  cryptolake --config cryptolake.toml schedule validate --json");
  validate->callback([&global, &exit_code] {
    auto config = load_config(global);
    if (!config) { exit_code = report_error(config.error()); return; }
    const schedule::DagCheck check = schedule::check_dag(config->schedule, kTaskCommands);
    const std::string origin = !global.config.empty() ? global.config
                               : std::filesystem::exists("cryptolake.toml") ? std::string("cryptolake.toml") : std::string("the default DAG");
    if (!check.dag) {
      for (const auto& p : check.problems) {
        fmt::print(stderr, "{}{}: task '{}': {}\n", origin, p.line > 0 ? fmt::format(":{}", p.line) : "", p.task, p.message);
      }
      fmt::print(stderr, "error: the schedule has {} problem(s)\n", check.problems.size());
      exit_code = 1;
      return;
    }
    if (global.json) {
      fmt::print("{}\n", schedule::dag_json(*check.dag, config->schedule));
      exit_code = 0;
      return;
    }
    io::SystemClock clock;
    const core::Timestamp now = clock.now();
    query::ResultTable table;
    table.columns = {"task", "cron", "depends_on", "next_run", "retries", "timeout_s", "catch_up", "run"};
    table.numeric = {false, false, false, false, true, true, false, false};
    for (const auto& t : check.dag->tasks) {
      std::string deps;
      for (const auto& d : t.config.depends_on) deps += (deps.empty() ? "" : ",") + d;
      const auto next = t.cron.next_after(now);
      table.rows.push_back({t.config.name, t.cron.text(), deps, next ? next->iso() : "never", std::to_string(t.config.retries),
                            std::to_string(t.config.timeout_seconds), t.config.catch_up ? "yes" : "no", t.config.run});
    }
    fmt::print("{} task(s) from {}, dependencies first; max_catch_up {}, concurrency {}\n{}", check.dag->tasks.size(),
               check.dag->is_default ? "the default DAG" : origin, config->schedule.max_catch_up, config->schedule.concurrency,
               query::format_result(table, query::OutputFormat::table));
    exit_code = 0;
  });
}

}  // namespace cryptolake::cli
