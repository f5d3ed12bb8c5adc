// The run history: one writer, one reader. Every finished stage (rows written and quarantined,
// how long it took, when it finished), every scheduled task's attempts (schedule/scheduler) and
// every collecting process's rate-limit waits, kept in
// the lake under _catalog/runs/ as tab-separated lines so concurrent readers never need a lock.
// /metrics, the API and the quality page read it through here.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/timestamp.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::schedule {

struct StageRun {
  std::string run_id;
  std::string stage;
  core::Timestamp finished_at;
  double seconds = 0;
  size_t rows = 0;
  size_t quarantined = 0;
};

struct RateLimitWaits {
  std::string service;
  size_t waits = 0;          // requests that waited for budget
  double waited_seconds = 0;
  core::Timestamp at;
};

// One attempt of a scheduled task for its logical interval [interval_start, interval_end).
enum class TaskState { queued, running, success, failed, retrying, skipped, abandoned };
std::string_view state_name(TaskState state);
std::optional<TaskState> parse_state(std::string_view name);
// success, failed and skipped are final: the scheduler does not run that interval again by itself.
bool is_final(TaskState state);

struct TaskRun {
  std::string run_id;  // <task>-<interval start, compact>: the same for every attempt
  std::string task;
  core::Timestamp interval_start, interval_end;
  TaskState state = TaskState::queued;
  int attempt = 1;
  std::optional<core::Timestamp> started_at, ended_at;
  std::optional<int64_t> rows_in, rows_out;  // what the task reported, when it did
  std::string error;                         // one line, at most 500 characters
};

class RunHistory {
 public:
  explicit RunHistory(lake::ObjectStore& store) : store_(store) {}

  [[nodiscard]] core::Status record(const StageRun& run);
  // A whole run's stages in one append: the history file is rewritten once, not once per stage.
  [[nodiscard]] core::Status record(std::span<const StageRun> runs);
  [[nodiscard]] core::Status record(const RateLimitWaits& waits);
  // Everything recorded, oldest first; a line that cannot be read is skipped.
  std::vector<StageRun> stage_runs() const;
  std::vector<RateLimitWaits> rate_limit_waits() const;

  // A task run's new state: the newest record of a (run_id, attempt) is its state.
  [[nodiscard]] core::Status record(const TaskRun& run);
  // Each attempt's newest state, ordered by interval start, task, attempt; `since`: only runs whose
  // interval starts at or after it (whole days are read).
  std::vector<TaskRun> task_runs(std::optional<core::Timestamp> since = std::nullopt) const;

 private:
  lake::ObjectStore& store_;
};

// An id for a run: run-<UTC time>-<pid>.
std::string new_run_id(core::Timestamp now);

}  // namespace cryptolake::schedule
