#include "schedule/dag_export.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/json_text.hpp"

namespace cryptolake::schedule {

namespace {

// The placeholders as Airflow's templates spell them.
constexpr std::string_view kAirflowStart = "{{ data_interval_start }}", kAirflowEnd = "{{ data_interval_end }}";

std::string command_line(const ExportCommand& command, const std::vector<std::string>& words) {
  std::string line = shell_word(command.binary);
  for (const std::string& flag : command.global_flags) line += " " + shell_word(flag);
  for (const std::string& word : words) line += " " + shell_word(word);
  return line;
}

// `schedule run --once --wait --tasks <the task and everything upstream of it>`: whoever starts a
// task starts it after its upstream tasks have run for its interval (a no-op for those that did).
std::vector<std::string> run_once_words(const Dag& dag, size_t task) {
  std::vector<bool> needed(dag.tasks.size(), false);
  needed[task] = true;
  for (size_t i = dag.tasks.size(); i-- > 0;) {  // upstream tasks come before their downstream ones
    if (!needed[i]) continue;
    for (size_t u : dag.tasks[i].upstream) needed[u] = true;
  }
  std::string tasks;
  for (size_t i = 0; i < dag.tasks.size(); ++i) {
    if (needed[i]) tasks += (tasks.empty() ? "" : ",") + dag.tasks[i].config.name;
  }
  return {"schedule", "run", "--once", "--wait", "--tasks", tasks};
}

// The values of a bitset field as a list ("0,15,30,45"), or "*" when it allows every value.
template <size_t N>
std::string values(const std::bitset<N>& field, size_t first, const char* const* names = nullptr) {
  if (field.count() == N - first) return "*";
  std::string out;
  for (size_t v = first; v < N; ++v) {
    if (field[v]) out += (out.empty() ? "" : ",") + (names != nullptr ? std::string(names[v]) : fmt::format("{:02}", v));
  }
  return out;
}

// Python names for the tasks: a task name may hold '-'.
std::vector<std::string> python_names(const Dag& dag) {
  std::vector<std::string> names;
  for (size_t i = 0; i < dag.tasks.size(); ++i) {
    std::string name = "t_" + dag.tasks[i].config.name;
    std::ranges::replace(name, '-', '_');
    if (std::ranges::find(names, name) != names.end()) name += fmt::format("_{}", i);
    names.push_back(std::move(name));
  }
  return names;
}

std::string python_string(std::string_view text) { return core::json_string(text); }  // a JSON string is a Python literal

}  // namespace

std::string shell_word(std::string_view word) {
  if (!word.empty() && word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-") == std::string_view::npos) {
    return std::string(word);
  }
  std::string out = "'";
  for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::vector<std::string> on_calendar(const CronSchedule& cron) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  const std::string time = fmt::format("{}:{}:00", values(cron.hours(), 0), values(cron.minutes(), 0));
  const std::string months = values(cron.months(), 1);
  const std::string dom = values(cron.days_of_month(), 1);
  const auto spell = [&](const std::string& weekdays, const std::string& days) {
    return fmt::format("{}*-{}-{} {} UTC", weekdays == "*" ? "" : weekdays + " ", months, days, time);
  };
  const std::string dow = cron.day_of_week_restricted() ? values(cron.days_of_week(), 0, kDays) : "*";
  if (cron.day_of_month_restricted() && cron.day_of_week_restricted()) return {spell("*", dom), spell(dow, "*")};
  return {spell(dow, cron.day_of_month_restricted() ? dom : "*")};
}

core::Result<std::vector<ExportedFile>> export_airflow(const Dag& dag, const core::ScheduleConfig& config, const ExportCommand& command,
                                                       core::Timestamp now) {
  // One DAG per cron expression, in the order the first of its tasks comes.
  std::vector<std::string> crons;
  for (const DagTask& t : dag.tasks) {
    if (std::ranges::find(crons, t.cron.text()) == crons.end()) crons.push_back(t.cron.text());
    for (size_t u : t.upstream) {
      if (dag.tasks[u].cron.text() != t.cron.text()) {
        return core::fail(core::ErrorCode::invalid_argument,
                          "task '{}' (cron \"{}\") depends on '{}' (cron \"{}\"): an Airflow DAG has one schedule, so a dependency "
                          "between different crons cannot be exported; give both the same cron",
                          t.config.name, t.cron.text(), dag.tasks[u].config.name, dag.tasks[u].cron.text());
      }
    }
  }
  std::string py = fmt::format(
      "# The cryptolake schedule as Airflow 2.x DAGs, written by `cryptolake schedule export airflow`.\n"
      "# The same tasks, dependencies, cron, retries (exponential backoff), timeouts and catch-up as\n"
      "# `cryptolake schedule run`; each task calls the cryptolake CLI for its data interval. The schedule\n"
      "# is pinned to CronDataIntervalTimetable so a run covers [data_interval_start, data_interval_end) on\n"
      "# Airflow 2 and 3 alike (Airflow 3 would make a bare cron string a trigger, start == end).\n"
      "# Not exported: max_catch_up = {} (Airflow catches up every missed interval).\n"
      "# Regenerate it after changing the schedule.\n"
      "from datetime import datetime, timedelta, timezone\n\n"
      "from airflow import DAG\n"
      "from airflow.timetables.interval import CronDataIntervalTimetable\n\n"
      "try:\n"
      "    from airflow.providers.standard.operators.bash import BashOperator  # Airflow 3, and 2.11+\n"
      "except ImportError:\n"
      "    from airflow.operators.bash import BashOperator  # Airflow 2.x\n",
      config.max_catch_up);
  const std::vector<std::string> names = python_names(dag);
  const std::string start_date = fmt::format("datetime({}, {}, {}, tzinfo=timezone.utc)", now.iso().substr(0, 4),
                                             std::stoi(now.iso().substr(5, 2)), std::stoi(now.iso().substr(8, 2)));
  for (size_t d = 0; d < crons.size(); ++d) {
    std::vector<size_t> members;
    for (size_t i = 0; i < dag.tasks.size(); ++i) {
      if (dag.tasks[i].cron.text() == crons[d]) members.push_back(i);
    }
    const bool catch_up = std::ranges::all_of(members, [&](size_t i) { return dag.tasks[i].config.catch_up; });
    const std::string dag_id = crons.size() == 1 ? "cryptolake" : fmt::format("cryptolake_{}", dag.tasks[members.front()].config.name);
    py += fmt::format(
        "\nwith DAG(\n"
        "    dag_id={},\n"
        "    schedule=CronDataIntervalTimetable({}, timezone=\"UTC\"),\n"
        "    start_date={},\n"
        "    catchup={},\n"
        "    max_active_runs=1,\n"
        "    tags=[\"cryptolake\"],\n"
        ") as dag:\n",
        python_string(dag_id), python_string(crons[d]), start_date, catch_up ? "True" : "False");
    for (size_t i : members) {
      const core::TaskConfig& t = dag.tasks[i].config;
      const std::vector<std::string> words = command_words(t, kAirflowStart, kAirflowEnd);
      py += fmt::format(
          "    {} = BashOperator(\n"
          "        task_id={},\n"
          "        bash_command={},\n"
          "        retries={},\n"
          "        retry_delay=timedelta(seconds={}),\n"
          "        retry_exponential_backoff=True,\n"
          "        execution_timeout=timedelta(seconds={}),\n"
          "    )\n",
          names[i], python_string(t.name), python_string(command_line(command, words)), t.retries, t.retry_delay_seconds,
          t.timeout_seconds);
    }
    for (size_t i : members) {
      for (size_t u : dag.tasks[i].upstream) py += fmt::format("    {} >> {}\n", names[u], names[i]);
    }
  }
  return std::vector<ExportedFile>{{"cryptolake.py", std::move(py)}};
}

core::Result<std::vector<ExportedFile>> export_systemd(const Dag& dag, const ExportCommand& command) {
  std::vector<ExportedFile> files;
  files.push_back({"cryptolake-scheduler.service",
                   fmt::format("# The cryptolake scheduler as a service: `schedule run` keeps every task of the DAG current.\n"
                               "# Either enable this, or the per-task timers beside it, not both.\n"
                               "[Unit]\nDescription=cryptolake scheduler\nAfter=network-online.target\nWants=network-online.target\n\n"
                               "[Service]\nExecStart={}\nRestart=on-failure\nRestartSec=10\nKillSignal=SIGTERM\nTimeoutStopSec=60\n\n"
                               "[Install]\nWantedBy=multi-user.target\n",
                               command_line(command, {"schedule", "run"}))});
  for (size_t i = 0; i < dag.tasks.size(); ++i) {
    const DagTask& t = dag.tasks[i];
    files.push_back({fmt::format("cryptolake-{}.service", t.config.name),
                     fmt::format("# Task '{}': runs its due intervals, after those of its upstream tasks.\n"
                                 "[Unit]\nDescription=cryptolake task {}\nAfter=network-online.target\n\n"
                                 // Timeouts, retries and their delays are the scheduler's, inside the run.
                                 "[Service]\nType=oneshot\nExecStart={}\nTimeoutStartSec=infinity\n",
                                 t.config.name, t.config.name, command_line(command, run_once_words(dag, i)))});
    std::string timer = fmt::format("# Task '{}' on cron \"{}\" (UTC).\n[Unit]\nDescription=cryptolake task {} timer\n\n[Timer]\n",
                                    t.config.name, t.cron.text(), t.config.name);
    for (const std::string& calendar : on_calendar(t.cron)) timer += "OnCalendar=" + calendar + "\n";
    timer += fmt::format("Persistent=true\nUnit=cryptolake-{}.service\n\n[Install]\nWantedBy=timers.target\n", t.config.name);
    files.push_back({fmt::format("cryptolake-{}.timer", t.config.name), std::move(timer)});
  }
  return files;
}

core::Result<std::vector<ExportedFile>> export_cron(const Dag& dag, const ExportCommand& command) {
  std::string tab =
      "# The cryptolake schedule as a crontab, written by `cryptolake schedule export cron`.\n"
      "# Each line runs a task's due intervals after those of its upstream tasks; --wait lets lines that fire\n"
      "# together take turns. The times are UTC: CRON_TZ needs a cron that reads it (cronie, systemd-cron);\n"
      "# elsewhere run cron in UTC.\n"
      "CRON_TZ=UTC\n";
  for (size_t i = 0; i < dag.tasks.size(); ++i) {
    tab += fmt::format("{} {}\n", dag.tasks[i].cron.text(), command_line(command, run_once_words(dag, i)));
  }
  return std::vector<ExportedFile>{{"crontab", std::move(tab)}};
}

}  // namespace cryptolake::schedule
