// The scheduler: runs the DAG's tasks for their logical intervals, as Airflow does. A task's run
// for [start, end) happens once `end` has passed, after its upstream tasks' runs of that span
// succeeded; each attempt is a child process of the cryptolake binary (io::ProcessLauncher), so a
// task is bounded by its timeout and cannot take the scheduler down. Every state change is in the
// RunHistory first, so a scheduler killed at any moment leaves runs the next one marks abandoned
// and runs again.
#pragma once

#include <chrono>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "io/clock.hpp"
#include "io/process_launcher.hpp"
#include "lake/object_store.hpp"
#include "schedule/dag.hpp"
#include "schedule/run_history.hpp"

namespace cryptolake::schedule {

// One task's run for one interval, to do.
struct PlannedRun {
  size_t task = 0;  // index into Dag::tasks
  core::Timestamp interval_start, interval_end;
};

struct Plan {
  std::vector<PlannedRun> runs;  // by interval end, then dependencies first
  size_t left_out = 0;           // missed intervals older than max_catch_up allows (backfill runs them)
};

struct ExecutionReport {
  size_t succeeded = 0, failed = 0, skipped = 0, abandoned = 0;
  bool stopped = false;  // stop was requested: the runs not finished were abandoned or not started
};

struct SchedulerOptions {
  std::vector<std::string> command_prefix;  // the binary and its global flags, before a task's words
  std::chrono::milliseconds poll{200};      // how often running tasks are looked at
  int stop_grace_seconds = 20;              // after SIGTERM, before SIGKILL
  std::function<void(const TaskRun&)> on_final_failure;  // after the last retry
  std::function<void(const TaskRun&)> on_change;         // every state recorded (progress lines)
  std::function<void(const Plan&)> after_execute;        // e.g. republish the runs table's days
};

class Scheduler {
 public:
  Scheduler(Dag dag, core::ScheduleConfig config, lake::ObjectStore& store, io::Clock& clock, io::ProcessLauncher& launcher,
            SchedulerOptions options);

  // Marks what a previous scheduler left unfinished (queued, running, retrying) abandoned, so it
  // is run again; returns how many.
  [[nodiscard]] core::Result<size_t> recover();
  // What is due at `now`: per task, the intervals ended by then since its last finished one (at
  // most max_catch_up, the newest; one when catch_up is off or the task never ran).
  // `only`: just these tasks (their dependencies on others count as met).
  Plan due(core::Timestamp now, const std::vector<std::string>& only = {}) const;
  // Every interval of the chosen tasks (all when empty) within [from, to), except those already
  // run successfully: a backfill, resumable by running it again.
  [[nodiscard]] core::Result<Plan> backfill(core::Timestamp from, core::Timestamp to, const std::vector<std::string>& tasks) const;
  // Runs a plan: dependencies, `concurrency` tasks at once, retries with exponential backoff,
  // timeouts. On stop, running tasks get SIGTERM (SIGKILL after the grace) and are recorded abandoned.
  [[nodiscard]] core::Result<ExecutionReport> execute(const Plan& plan, std::stop_token stop);
  // The service (after recover()): run what is due, sleep to the next fire time, until stopped.
  [[nodiscard]] core::Status serve(std::stop_token stop, const std::vector<std::string>& only = {});

  const Dag& dag() const { return dag_; }

 private:
  struct Active;
  core::Status record(const TaskRun& run);
  void finish(Active& active, int exit_status, bool timed_out);

  Dag dag_;
  core::ScheduleConfig config_;
  lake::ObjectStore& store_;
  io::Clock& clock_;
  io::ProcessLauncher& launcher_;
  SchedulerOptions options_;
  RunHistory history_;
};

// <task>-<interval start as YYYYMMDDTHHMM>: the run id of every attempt at one interval.
std::string task_run_id(std::string_view task, core::Timestamp interval_start);

}  // namespace cryptolake::schedule
