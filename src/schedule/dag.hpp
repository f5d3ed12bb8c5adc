// The scheduler's DAG: the [[schedule.tasks]] of the config (or, with none, the default DAG),
// checked as a whole. Each task is a cryptolake command line run for a logical interval (the
// span between two fire times of its cron expression, {interval_start}/{interval_end} in its
// text), after the tasks it depends on. `schedule validate` prints the problems with the line of
// the task they are in; `schedule export` turns a valid DAG into Airflow, systemd or cron.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "schedule/cron.hpp"

namespace cryptolake::schedule {

struct DagTask {
  core::TaskConfig config;
  CronSchedule cron;
  std::vector<size_t> upstream;  // indices into Dag::tasks, each before this one
};

struct Dag {
  std::vector<DagTask> tasks;  // every task after those it depends on
  bool is_default = false;     // the config names no tasks
};

struct DagProblem {
  int line = 0;  // of the task in the config; 0: not from a file (the default DAG)
  std::string task;
  std::string message;
};

struct DagCheck {
  std::optional<Dag> dag;  // when there are no problems
  std::vector<DagProblem> problems;
};

// The default DAG of a fresh lake: hourly, the simulator's new hour into the raw zone through
// the bus, then etl (facts, features, aggregates, dimensions, sentiment, gaps: incremental),
// quality and a catalog listing.
std::vector<core::TaskConfig> default_tasks();

// `commands`: the cryptolake commands a task may run (the CLI's, less the long-running ones).
DagCheck check_dag(const core::ScheduleConfig& config, const std::set<std::string, std::less<>>& commands);

// The task's command line for one interval: the placeholders replaced by ISO-8601 bounds.
std::string command_for(const core::TaskConfig& task, core::Timestamp interval_start, core::Timestamp interval_end);

// The same as words for a child process: split at spaces, '…' and "…" keep spaces in one word.
std::vector<std::string> command_words(const core::TaskConfig& task, core::Timestamp interval_start, core::Timestamp interval_end);
// … with the placeholders replaced by any text (an export's template for them).
std::vector<std::string> command_words(const core::TaskConfig& task, std::string_view start_text, std::string_view end_text);

// {"tasks":[{name, run, cron, depends_on, retries, retry_delay_seconds, timeout_seconds, catch_up}…],
//  "max_catch_up", "concurrency", "default"}: what `schedule validate --json` prints and the
// Airflow export is checked against.
std::string dag_json(const Dag& dag, const core::ScheduleConfig& config);

}  // namespace cryptolake::schedule
