// `cryptolake schedule validate|run|export` and `cryptolake backfill`: the scheduler's DAG (the
// config's [[schedule.tasks]], or the default one) checked, run, or written out for Airflow,
// systemd or cron.
#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "core/excerpt.hpp"
#include "core/json_text.hpp"
#include "io/real/posix_process.hpp"
#include "io/real/system_clock.hpp"
#include "lake/lake_lock.hpp"
#include "lake/layout.hpp"
#include "query/result_format.hpp"
#include "schedule/dag.hpp"
#include "schedule/dag_export.hpp"
#include "schedule/runs_table.hpp"
#include "schedule/scheduler.hpp"
#include "stream/alert_webhook.hpp"

namespace cryptolake::cli {

namespace {

// What a task may run: the commands that do a bounded piece of work (not serve, demo, bench or
// the scheduler itself).
const std::set<std::string, std::less<>> kTaskCommands = {"analyze", "catalog", "etl", "gaps", "import", "ingest",
                                                          "quality", "simulate", "sql", "stream"};

std::string config_origin(const GlobalOptions& global) {
  const std::string file = config_file(global);
  return file.empty() ? std::string("the default DAG") : file;
}

// The global flags that point a child or an exported schedule at this lake and config.
std::vector<std::string> lake_flags(const std::filesystem::path& lake, const GlobalOptions& global) {
  std::vector<std::string> flags = {"--lake", std::filesystem::absolute(lake).lexically_normal().string()};
  if (const std::string file = config_file(global); !file.empty()) flags.insert(flags.end(), {"--config", std::filesystem::absolute(file).string()});
  return flags;
}

// The DAG of the config, or its problems printed (each with its line) and nothing.
std::optional<schedule::Dag> checked_dag(const core::Config& config, const GlobalOptions& global) {
  schedule::DagCheck check = schedule::check_dag(config.schedule, kTaskCommands);
  if (check.dag) return std::move(check.dag);
  const std::string origin = config_origin(global);
  for (const auto& p : check.problems) {
    fmt::print(stderr, "{}{}: task '{}': {}\n", origin, p.line > 0 ? fmt::format(":{}", p.line) : "", p.task, p.message);
  }
  fmt::print(stderr, "error: the schedule has {} problem(s)\n", check.problems.size());
  return std::nullopt;
}

// The binary and global flags each task's command line follows: this binary, on this lake and config.
std::vector<std::string> task_command_prefix(const Context& ctx, const GlobalOptions& global) {
  std::vector<std::string> prefix = {io::current_executable()};
  for (std::string& flag : lake_flags(ctx.lake_root(), global)) prefix.push_back(std::move(flag));
  if (!global.log_level.empty()) prefix.insert(prefix.end(), {"--log-level", global.log_level});
  if (global.threads > 0) prefix.insert(prefix.end(), {"--threads", std::to_string(global.threads)});
  return prefix;
}

std::string describe_interval(const schedule::TaskRun& run) {
  return fmt::format("{} [{} .. {})", run.task, run.interval_start.iso(), run.interval_end.iso());
}

// A scheduler on the lake: one per lake (its lock), tasks as children of this binary, a line per
// state change, the `runs` table republished after each round, final failures logged and posted.
class SchedulerSession {
 public:
  // `wait`: while another scheduler holds the lake, wait for it instead of failing.
  static core::Result<std::unique_ptr<SchedulerSession>> open(const GlobalOptions& global, std::string_view command, bool wait = false) {
    auto session = std::make_unique<SchedulerSession>();
    TRY_ASSIGN(session->ctx_, Context::create(global));
    Context& ctx = *session->ctx_;
    const auto dag = checked_dag(ctx.config(), global);
    if (!dag) return core::fail(core::ErrorCode::invalid_argument, "fix the schedule first (`cryptolake schedule validate`)");
    auto lock = lake::LakeLock::acquire_file(ctx.store().location(lake::layout::kSchedulerLockFile), command, ctx.clock().now(),
                                             wait ? lake::LakeLock::Wait::block : lake::LakeLock::Wait::no_wait,
                                             [](const lake::LockHolder& holder) {
                                               fmt::print(stderr, "waiting for the scheduler that holds the lake: {}\n", lake::describe(holder));
                                             });
    if (!lock) {
      return core::fail(core::ErrorCode::unavailable, "another scheduler runs this lake: {}",
                        lock.error().message.substr(lock.error().message.find(": ") + 2));
    }
    session->lock_.emplace(std::move(*lock));
    if (!ctx.config().webhook.url.empty()) {
      session->webhook_ = std::make_unique<stream::AlertWebhook>(ctx.http(), ctx.clock(), ctx.config().webhook);
    }
    schedule::SchedulerOptions options;
    options.command_prefix = task_command_prefix(ctx, global);
    options.on_change = [](const schedule::TaskRun& run) { print_change(run); };
    options.on_final_failure = [s = session.get()](const schedule::TaskRun& run) { s->notify_failure(run); };
    options.after_execute = [s = session.get()](const schedule::Plan& plan) { s->publish_runs(plan); };
    session->scheduler_.emplace(*dag, ctx.config().schedule, ctx.store(), ctx.clock(), session->launcher_, std::move(options));
    return session;
  }

  ~SchedulerSession() {
    if (webhook_ && !webhook_->drain(std::chrono::seconds(5))) spdlog::warn("webhook: failure notices still pending at exit were given up");
  }

  schedule::Scheduler& scheduler() { return *scheduler_; }
  Context& context() { return *ctx_; }

 private:
  static void print_change(const schedule::TaskRun& run) {
    using schedule::TaskState;
    if (run.state == TaskState::queued) return;
    std::string detail;
    if (run.state == TaskState::running) detail = fmt::format(" (attempt {})", run.attempt);
    if (run.started_at && run.ended_at) detail += fmt::format(" in {:.1f} s", static_cast<double>(*run.ended_at - *run.started_at) / 1e6);
    if (run.rows_out) detail += fmt::format(", rows {} in, {} out", run.rows_in.value_or(0), *run.rows_out);
    if (!run.error.empty()) detail += ": " + run.error;
    fmt::print(stderr, "{} {}{}\n", describe_interval(run), schedule::state_name(run.state), detail);
  }

  void notify_failure(const schedule::TaskRun& run) {
    spdlog::error("task {} failed after {} attempt(s): {}", describe_interval(run), run.attempt, run.error);
    if (!webhook_) return;
    webhook_->post(fmt::format(R"({{"task_failure":{{"run_id":{},"task":{},"interval_start":"{}","interval_end":"{}","attempt":{},"error":{}}}}})",
                               core::json_string(run.run_id), core::json_string(run.task), run.interval_start.iso(), run.interval_end.iso(),
                               run.attempt, core::json_string(run.error)));
  }

  // The curated `runs` table: the days of the plan's runs, rewritten from the run history.
  void publish_runs(const schedule::Plan& plan) {
    if (plan.runs.empty()) return;
    auto duckdb = ctx_->duckdb();
    if (!duckdb) { spdlog::warn("runs table not written: {}", duckdb.error().message); return; }
    auto lock = ctx_->lock_lake("schedule (runs table)");
    if (!lock) { spdlog::warn("runs table not written: {}", lock.error().message); return; }
    const core::Timestamp since = std::ranges::min(plan.runs, {}, &schedule::PlannedRun::interval_start).interval_start;
    if (auto written = schedule::write_runs_table(ctx_->store(), **duckdb, since, ctx_->threads()); !written) {
      spdlog::warn("runs table not written: {}", written.error().message);
    }
  }

  std::unique_ptr<Context> ctx_;
  std::optional<lake::LakeLock> lock_;
  io::PosixProcessLauncher launcher_;
  std::unique_ptr<stream::AlertWebhook> webhook_;
  std::optional<schedule::Scheduler> scheduler_;
};

int report_execution(const schedule::ExecutionReport& r, std::string_view what) {
  fmt::print(stderr, "{}: {} succeeded, {} failed, {} skipped, {} abandoned{}\n", what, r.succeeded, r.failed, r.skipped, r.abandoned,
             r.stopped ? " (stopped)" : "");
  if (r.stopped) return 0;  // SIGTERM: what ran was finished or recorded abandoned, as asked
  return r.failed + r.skipped > 0 ? 3 : 0;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  for (const auto& part : CLI::detail::split(text, ',')) {
    if (const std::string item = CLI::detail::trim_copy(part); !item.empty()) items.push_back(item);
  }
  return items;
}

void add_run(CLI::App& command, GlobalOptions& global, int& exit_code) {
  auto* run = command.add_subcommand("run", "Run the DAG: each task for its intervals as they end, until SIGTERM (or --once)");
  auto once = std::make_shared<bool>(false);
  auto tasks = std::make_shared<std::string>();
  auto wait = std::make_shared<bool>(false);
  auto as_of = std::make_shared<std::string>();
  run->add_flag("--wait", *wait, "When another scheduler runs on the lake, wait for it to end instead of exiting 1");
  run->add_flag("--once", *once, "Run what is due now (missed intervals too, up to max_catch_up) and exit");
  run->add_option("--tasks", *tasks, "Only these tasks (comma-separated); their dependencies on others count as met");
  run->add_option("--as-of", *as_of, "With --once: what was due at this ISO time (not later than now), e.g. to reproduce a past run");
  run->footer(
      "Each task runs as a child process of this binary for a logical interval [start, end) once `end` has passed,\n"
      "after its upstream tasks succeeded for that span; retried with exponential backoff, ended at its timeout.\n"
      "After downtime, the missed intervals run (at most max_catch_up per task, the newest; `backfill` runs older ones).\n"
      "One scheduler per lake: a second one exits 1 (or waits, --wait). SIGTERM/Ctrl-C stops the running task (SIGTERM, then SIGKILL\n"
      "after 20 s), records it abandoned and exits 0; the next start runs it again, as it does after a SIGKILL.\n"
      "Every attempt is in `cryptolake runs` and the curated `runs` table; its output in _catalog/logs/tasks/.\n"
      "Exit (--once): 0 all succeeded, 3 some failed or were skipped, 1 error.\n"
      "Examples:\n"
      "  cryptolake schedule run --once\n"
      "  cryptolake schedule run                 # a service: see `schedule export systemd`\n"
      "  cryptolake schedule run --once --tasks etl,quality\n"
      "  cryptolake schedule run --once --as-of 2026-03-01T10:30:00Z");
  run->callback([&global, &exit_code, once, tasks, wait, as_of] {
    std::optional<core::Timestamp> planned_at;
    if (!as_of->empty()) {
      if (!*once) { exit_code = report_error({core::ErrorCode::invalid_argument, "--as-of goes with --once"}); return; }
      if (!(planned_at = core::Timestamp::parse_iso(*as_of))) {
        exit_code = report_error({core::ErrorCode::invalid_argument, fmt::format("--as-of: '{}' is not an ISO time", core::excerpt(*as_of, 64))});
        return;
      }
    }
    auto session = SchedulerSession::open(global, *once ? "schedule run --once" : "schedule run", *wait);
    if (!session) { exit_code = report_error(session.error()); return; }
    schedule::Scheduler& scheduler = (*session)->scheduler();
    const std::vector<std::string> only = split_list(*tasks);
    for (const std::string& name : only) {
      if (std::ranges::none_of(scheduler.dag().tasks, [&](const schedule::DagTask& t) { return t.config.name == name; })) {
        exit_code = report_error({core::ErrorCode::invalid_argument, fmt::format("--tasks: '{}' is not a task of the schedule", core::excerpt(name, 64))});
        return;
      }
    }
    auto recovered = scheduler.recover();
    if (!recovered) { exit_code = report_error(recovered.error()); return; }
    if (*recovered > 0) fmt::print(stderr, "{} run(s) a stopped scheduler left unfinished are marked abandoned and run again\n", *recovered);
    if (!*once) {
      fmt::print(stderr, "scheduler: {} task(s) on {}; Ctrl-C or SIGTERM stops it\n", scheduler.dag().tasks.size(),
                 (*session)->context().lake_root().string());
      const auto served = scheduler.serve(interrupt_token(), only);
      exit_code = served ? 0 : report_error(served.error());
      return;
    }
    const core::Timestamp now = (*session)->context().clock().now();
    if (planned_at && *planned_at > now) {
      exit_code = report_error({core::ErrorCode::invalid_argument, fmt::format("--as-of {} is later than now: its intervals have not ended", planned_at->iso())});
      return;
    }
    schedule::Plan plan = scheduler.due(planned_at.value_or(now), only);
    if (plan.left_out > 0) {
      fmt::print(stderr, "{} older missed interval(s) are beyond max_catch_up = {}: `cryptolake backfill` runs them\n", plan.left_out,
                 (*session)->context().config().schedule.max_catch_up);
    }
    if (plan.runs.empty()) {
      fmt::print(stderr, "nothing is due: every task's last interval has run\n");
      exit_code = 0;
      return;
    }
    auto report = scheduler.execute(plan, interrupt_token());
    exit_code = report ? report_execution(*report, "schedule run --once") : report_error(report.error());
  });
}

void add_export(CLI::App& command, GlobalOptions& global, int& exit_code) {
  auto* export_command = command.add_subcommand("export", "Write the DAG for Airflow, systemd or cron");
  struct Flags {
    std::string target, out, binary, lake;
  };
  auto flags = std::make_shared<Flags>();
  export_command->add_option("target", flags->target, "airflow, systemd or cron")->required()->check(CLI::IsMember({"airflow", "systemd", "cron"}));
  export_command->add_option("--out", flags->out, "airflow/cron: the file (default: stdout); systemd: a folder for the units");
  export_command->add_option("--binary", flags->binary, "The cryptolake the exported schedule calls (default: this one)");
  export_command->footer(
      "airflow   a DAG file for Airflow 2.x: a BashOperator per task calling the CLI with {{ data_interval_start }} /\n"
      "          {{ data_interval_end }}, the same dependencies, cron, retries (exponential), timeouts, catchup,\n"
      "          max_active_runs=1. Tasks of different crons become one DAG each.\n"
      "systemd   cryptolake-scheduler.service (`schedule run`, restarted on failure), the way to keep it running;\n"
      "          plus a oneshot service and a timer per task (`schedule run --once --tasks <task>` on its cron).\n"
      "cron      a crontab: a line per task, `schedule run --once --tasks <task>` on its cron.\n"
      "Examples:\n"
      "  cryptolake schedule export airflow --out dags/cryptolake.py\n"
      "  sudo cryptolake schedule export systemd --out /etc/systemd/system\n"
      "  cryptolake schedule export cron | crontab -");
  export_command->callback([&global, &exit_code, flags] {
    auto config = load_config(global);
    if (!config) { exit_code = report_error(config.error()); return; }
    const auto dag = checked_dag(*config, global);
    if (!dag) { exit_code = 1; return; }
    schedule::ExportCommand how;
    how.binary = flags->binary.empty() ? io::current_executable() : flags->binary;
    how.global_flags = lake_flags(config->lake, global);
    io::SystemClock clock;
    auto files = flags->target == "airflow" ? schedule::export_airflow(*dag, config->schedule, how, clock.now())
                 : flags->target == "cron"  ? schedule::export_cron(*dag, how)
                                            : schedule::export_systemd(*dag, how);
    if (!files) { exit_code = report_error(files.error()); return; }
    if (flags->out.empty()) {
      for (const auto& file : *files) fmt::print("{}{}", files->size() > 1 ? fmt::format("# ---- {}\n", file.name) : "", file.text);
      exit_code = 0;
      return;
    }
    namespace fs = std::filesystem;
    const bool folder = flags->target == "systemd";
    std::error_code ec;
    fs::create_directories(folder ? fs::path(flags->out) : fs::path(flags->out).parent_path(), ec);
    for (const auto& file : *files) {
      const fs::path path = folder ? fs::path(flags->out) / file.name : fs::path(flags->out);
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << file.text;
      if (!out.flush()) {
        exit_code = report_error({core::ErrorCode::io_error, fmt::format("cannot write {}", path.string())});
        return;
      }
      fmt::print(stderr, "wrote {}\n", path.string());
    }
    exit_code = 0;
  });
}

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
    const auto dag = checked_dag(*config, global);
    if (!dag) { exit_code = 1; return; }
    if (global.json) {
      fmt::print("{}\n", schedule::dag_json(*dag, config->schedule));
      exit_code = 0;
      return;
    }
    io::SystemClock clock;
    const core::Timestamp now = clock.now();
    query::ResultTable table;
    table.columns = {"task", "cron", "depends_on", "next_run", "retries", "timeout_s", "catch_up", "run"};
    table.numeric = {false, false, false, false, true, true, false, false};
    for (const auto& t : dag->tasks) {
      std::string deps;
      for (const auto& d : t.config.depends_on) deps += (deps.empty() ? "" : ",") + d;
      const auto next = t.cron.next_after(now);
      table.rows.push_back({t.config.name, t.cron.text(), deps, next ? next->iso() : "never", std::to_string(t.config.retries),
                            std::to_string(t.config.timeout_seconds), t.config.catch_up ? "yes" : "no", t.config.run});
    }
    fmt::print("{} task(s) from {}, dependencies first; max_catch_up {}, concurrency {}\n{}", dag->tasks.size(),
               dag->is_default ? "the default DAG" : config_origin(global), config->schedule.max_catch_up, config->schedule.concurrency,
               query::format_result(table, query::OutputFormat::table));
    exit_code = 0;
  });
  add_run(*command, global, exit_code);
  add_export(*command, global, exit_code);
}

void add_backfill_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("backfill", "Run the schedule's tasks for past intervals, in order, resumable");
  struct Flags {
    std::string from, to, tasks;
  };
  auto flags = std::make_shared<Flags>();
  command->add_option("--from", flags->from, "First interval start, ISO time or YYYY-MM-DD (UTC)")->required();
  command->add_option("--to", flags->to, "Intervals ending by then, ISO time or YYYY-MM-DD (UTC)")->required();
  command->add_option("--tasks", flags->tasks, "Only these tasks (comma-separated); their dependencies on others count as met");
  command->footer(
      "Every interval of the chosen tasks within [--from, --to) that has not run successfully, oldest first, with\n"
      "dependencies, retries and timeouts as `schedule run` has them; the runs are in `cryptolake runs`. Interrupted,\n"
      "it picks up where it stopped when run again. Takes the scheduler's place on the lake while it runs.\n"
      "Exit: 0 all succeeded, 3 some failed or were skipped, 1 error.\n"
      "Examples:\n"
      "  cryptolake backfill --from 2026-11-01 --to 2026-11-08\n"
      "  cryptolake backfill --from 2026-12-01T00:00:00Z --to 2026-12-01T06:00:00Z --tasks ingest,etl");
  command->callback([&global, &exit_code, flags] {
    const auto from = core::Timestamp::parse_iso(flags->from), to = core::Timestamp::parse_iso(flags->to);
    if (!from || !to) {
      exit_code = report_error({core::ErrorCode::invalid_argument, "--from and --to take YYYY-MM-DD or an ISO time (UTC)"});
      return;
    }
    auto session = SchedulerSession::open(global, "backfill");
    if (!session) { exit_code = report_error(session.error()); return; }
    schedule::Scheduler& scheduler = (*session)->scheduler();
    auto recovered = scheduler.recover();
    if (!recovered) { exit_code = report_error(recovered.error()); return; }
    auto plan = scheduler.backfill(*from, *to, split_list(flags->tasks));
    if (!plan) { exit_code = report_error(plan.error()); return; }
    if (plan->runs.empty()) {
      fmt::print(stderr, "nothing to backfill: every interval in [{}, {}) has run successfully\n", from->iso(), to->iso());
      exit_code = 0;
      return;
    }
    fmt::print(stderr, "backfill: {} run(s) from {} to {}\n", plan->runs.size(), plan->runs.front().interval_start.iso(), to->iso());
    auto report = scheduler.execute(*plan, interrupt_token());
    exit_code = report ? report_execution(*report, "backfill") : report_error(report.error());
  });
}

}  // namespace cryptolake::cli
