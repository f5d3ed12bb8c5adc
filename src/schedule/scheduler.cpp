#include "schedule/scheduler.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "core/decimal.hpp"
#include "core/excerpt.hpp"
#include "lake/layout.hpp"

namespace cryptolake::schedule {

using core::Timestamp;

namespace {

constexpr int64_t kSecond = Timestamp::kMicrosPerSecond;
constexpr int64_t kMaxRetryDelay = 86'400 * kSecond;
constexpr size_t kMaxLogBytes = 8 << 20;       // a task's log larger than this is not read for its error
constexpr size_t kMaxLeftOutCounted = 100'000;  // how far back missed intervals are counted

// The interval that ends at `end`: from the fire time before it.
std::optional<Timestamp> interval_start_before(const CronSchedule& cron, Timestamp end) { return cron.last_at_or_before(end - 1); }

// The last line that says what went wrong: the last "error…" line, else the last non-empty one.
std::string error_from_log(const std::string& log) {
  std::string last, last_error;
  for (size_t pos = 0; pos < log.size();) {
    const size_t end = std::min(log.find('\n', pos), log.size());
    const std::string_view line(log.data() + pos, end - pos);
    pos = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    last = line;
    if (line.starts_with("error") || line.find(" error") != std::string_view::npos) last_error = line;
  }
  return core::excerpt(last_error.empty() ? last : last_error, 300);
}

}  // namespace

std::string task_run_id(std::string_view task, Timestamp interval_start) {
  const std::string iso = interval_start.iso();  // 2026-12-03T01:00:00Z
  return fmt::format("{}-{}{}{}T{}{}", task, iso.substr(0, 4), iso.substr(5, 2), iso.substr(8, 2), iso.substr(11, 2), iso.substr(14, 2));
}

// A planned run on its way: waiting for its upstream runs, running, or waiting to retry.
struct Scheduler::Active {
  PlannedRun planned;
  TaskRun run;
  int attempts_left = 1;
  enum class Phase { waiting, running, retry_wait, done } phase = Phase::waiting;
  std::vector<size_t> upstream;  // indices into the plan
  std::unique_ptr<io::ChildProcess> process;
  Timestamp deadline, retry_at;
  bool terminated = false;
};

Scheduler::Scheduler(Dag dag, core::ScheduleConfig config, lake::ObjectStore& store, io::Clock& clock, io::ProcessLauncher& launcher,
                     SchedulerOptions options)
    : dag_(std::move(dag)), config_(std::move(config)), store_(store), clock_(clock), launcher_(launcher), options_(std::move(options)),
      history_(store) {
  config_.concurrency = std::max(1, config_.concurrency);
  config_.max_catch_up = std::max(1, config_.max_catch_up);
}

core::Status Scheduler::record(const TaskRun& run) {
  TRY(history_.record(run));
  if (options_.on_change) options_.on_change(run);
  return {};
}

core::Result<size_t> Scheduler::recover() {
  size_t marked = 0;
  for (TaskRun run : history_.task_runs()) {
    if (is_final(run.state) || run.state == TaskState::abandoned) continue;
    const bool was_running = run.state == TaskState::running;
    run.error = fmt::format("{}the scheduler stopped before this {} finished", run.error.empty() ? "" : run.error + "; ",
                            was_running ? "attempt" : "run");
    run.state = TaskState::abandoned;
    run.ended_at = run.ended_at.value_or(clock_.now());
    TRY(record(run));
    ++marked;
  }
  return marked;
}

Plan Scheduler::due(Timestamp now, const std::vector<std::string>& only) const {
  // Per task: the intervals whose newest attempt ended final, and the first interval it ever had.
  std::vector<std::set<Timestamp>> finished(dag_.tasks.size());
  std::vector<std::optional<Timestamp>> first(dag_.tasks.size());
  std::map<std::string, size_t, std::less<>> index;
  for (size_t i = 0; i < dag_.tasks.size(); ++i) index.emplace(dag_.tasks[i].config.name, i);
  std::map<std::pair<size_t, Timestamp>, const TaskRun*> newest;
  const std::vector<TaskRun> runs = history_.task_runs();
  for (const TaskRun& run : runs) {
    const auto it = index.find(run.task);
    if (it == index.end()) continue;
    first[it->second] = std::min(first[it->second].value_or(run.interval_start), run.interval_start);
    newest[{it->second, run.interval_start}] = &run;  // runs are ordered by attempt
  }
  for (const auto& [key, run] : newest) {
    if (is_final(run->state)) finished[key.first].insert(key.second);
  }
  Plan plan;
  for (size_t t = 0; t < dag_.tasks.size(); ++t) {
    const DagTask& task = dag_.tasks[t];
    if (!only.empty() && std::ranges::find(only, task.config.name) == only.end()) continue;
    const size_t limit = !first[t] || !task.config.catch_up ? 1 : static_cast<size_t>(config_.max_catch_up);
    std::optional<Timestamp> end = task.cron.last_at_or_before(now);
    size_t taken = 0, seen = 0;
    while (end && seen < limit + kMaxLeftOutCounted) {
      const auto start = interval_start_before(task.cron, *end);
      if (!start || (first[t] && *start < *first[t]) || finished[t].contains(*start)) break;
      if (taken < limit) {
        plan.runs.push_back({t, *start, *end});
        ++taken;
      } else if (!first[t] || !task.config.catch_up) {
        break;  // nothing to catch up: older intervals were never this task's
      } else {
        ++plan.left_out;
      }
      ++seen;
      end = start;
    }
  }
  std::ranges::sort(plan.runs, [](const PlannedRun& a, const PlannedRun& b) {
    return std::tie(a.interval_end, a.task) < std::tie(b.interval_end, b.task);
  });
  return plan;
}

core::Result<Plan> Scheduler::backfill(Timestamp from, Timestamp to, const std::vector<std::string>& tasks) const {
  if (!(from < to)) return core::fail(core::ErrorCode::invalid_argument, "--from {} is not before --to {}", from.iso(), to.iso());
  std::set<std::string, std::less<>> chosen(tasks.begin(), tasks.end());
  for (const std::string& name : chosen) {
    if (std::ranges::none_of(dag_.tasks, [&](const DagTask& t) { return t.config.name == name; })) {
      return core::fail(core::ErrorCode::invalid_argument, "--tasks: '{}' is not a task of the schedule", core::excerpt(name, 64));
    }
  }
  std::set<std::pair<std::string, Timestamp>> succeeded;
  std::map<std::pair<std::string, Timestamp>, TaskState> newest;
  for (const TaskRun& run : history_.task_runs(from)) newest[{run.task, run.interval_start}] = run.state;
  for (const auto& [key, state] : newest) {
    if (state == TaskState::success) succeeded.insert(key);
  }
  constexpr size_t kMaxRuns = 1'000'000;
  Plan plan;
  for (size_t t = 0; t < dag_.tasks.size(); ++t) {
    const DagTask& task = dag_.tasks[t];
    if (!chosen.empty() && !chosen.contains(task.config.name)) continue;
    std::optional<Timestamp> start = task.cron.last_at_or_before(from);
    if (start && *start < from) start = task.cron.next_after(*start);  // intervals that start within the span
    if (!start) start = task.cron.next_after(from);
    while (start && *start < to) {
      const auto end = task.cron.next_after(*start);
      if (!end || *end > to) break;
      if (!succeeded.contains({task.config.name, *start})) plan.runs.push_back({t, *start, *end});
      if (plan.runs.size() > kMaxRuns) {
        return core::fail(core::ErrorCode::invalid_argument, "the backfill has more than {} runs: give a shorter span", kMaxRuns);
      }
      start = end;
    }
  }
  std::ranges::sort(plan.runs, [](const PlannedRun& a, const PlannedRun& b) {
    return std::tie(a.interval_end, a.task) < std::tie(b.interval_end, b.task);
  });
  return plan;
}

void Scheduler::finish(Active& a, int exit_status, bool timed_out) {
  const Timestamp now = clock_.now();
  a.process.reset();
  a.run.ended_at = now;
  if (const auto report = store_.get(lake::layout::task_report_key(a.run.run_id, a.run.attempt))) {
    // "rows_in<TAB>rows_out": what the task's command counted.
    const size_t tab = report->find('\t');
    if (tab != std::string::npos) {
      a.run.rows_in = core::parse_int(std::string_view(*report).substr(0, tab));
      a.run.rows_out = core::parse_int(std::string_view(*report).substr(tab + 1, report->find('\n') - tab - 1));
    }
    (void)store_.remove(lake::layout::task_report_key(a.run.run_id, a.run.attempt));
  }
  if (exit_status == 0 && !timed_out) {
    a.run.state = TaskState::success;
    a.run.error.clear();
    a.phase = Active::Phase::done;
    return;
  }
  const std::string log_key = lake::layout::task_log_key(a.run.run_id, a.run.attempt);
  std::string said;
  if (const auto size = store_.size(log_key); size && *size <= kMaxLogBytes) said = error_from_log(store_.get(log_key).value_or(""));
  a.run.error = timed_out ? fmt::format("timed out after {} s", dag_.tasks[a.planned.task].config.timeout_seconds)
                          : fmt::format("exit {}", exit_status);
  if (!said.empty()) a.run.error += ": " + said;
  if (--a.attempts_left > 0) {
    const int retry = dag_.tasks[a.planned.task].config.retries - a.attempts_left + 1;  // 1 for the first retry
    const int64_t base = std::max<int64_t>(0, dag_.tasks[a.planned.task].config.retry_delay_seconds) * kSecond;
    const int64_t delay = std::min(kMaxRetryDelay, base << std::min(retry - 1, 20));
    a.run.state = TaskState::retrying;
    a.retry_at = now + delay;
    a.phase = Active::Phase::retry_wait;
  } else {
    a.run.state = TaskState::failed;
    a.phase = Active::Phase::done;
  }
}

core::Result<ExecutionReport> Scheduler::execute(const Plan& plan, std::stop_token stop) {
  ExecutionReport report;
  // Attempts already made at each run id (an abandoned run goes on counting).
  std::map<std::string, int, std::less<>> attempts_made;
  // (From the plan's earliest interval start: a daily run ends after, but starts before, the hours in it.)
  const std::optional<Timestamp> earliest =
      plan.runs.empty() ? std::nullopt : std::optional(std::ranges::min(plan.runs, {}, &PlannedRun::interval_start).interval_start);
  for (const TaskRun& run : history_.task_runs(earliest)) {
    int& made = attempts_made[run.run_id];
    made = std::max(made, run.attempt);
  }
  std::vector<Active> active(plan.runs.size());
  for (size_t i = 0; i < plan.runs.size(); ++i) {
    Active& a = active[i];
    a.planned = plan.runs[i];
    const core::TaskConfig& config = dag_.tasks[a.planned.task].config;
    a.attempts_left = 1 + std::max(0, config.retries);
    a.run.task = config.name;
    a.run.run_id = task_run_id(config.name, a.planned.interval_start);
    a.run.interval_start = a.planned.interval_start;
    a.run.interval_end = a.planned.interval_end;
    a.run.attempt = attempts_made[a.run.run_id] + 1;
    // Its upstream runs in this plan: the upstream tasks' intervals that end within this one.
    for (size_t j = 0; j < i; ++j) {
      const PlannedRun& u = plan.runs[j];
      const auto& ups = dag_.tasks[a.planned.task].upstream;
      if (std::ranges::find(ups, u.task) != ups.end() && u.interval_end > a.planned.interval_start &&
          u.interval_end <= a.planned.interval_end) {
        a.upstream.push_back(j);
      }
    }
    TRY(record(a.run));  // queued
  }

  const auto count_final = [&](const TaskRun& run) {
    if (run.state == TaskState::success) ++report.succeeded;
    else if (run.state == TaskState::failed) ++report.failed;
    else if (run.state == TaskState::skipped) ++report.skipped;
    else if (run.state == TaskState::abandoned) ++report.abandoned;
  };
  size_t running = 0, done = 0;
  // An attempt's end recorded; a run that is over is counted, and a final failure announced.
  const auto settle = [&](Active& a) -> core::Status {
    TRY(record(a.run));
    if (a.phase != Active::Phase::done) return {};
    ++done;
    count_final(a.run);
    if (a.run.state == TaskState::failed && options_.on_final_failure) options_.on_final_failure(a.run);
    return {};
  };
  while (done < active.size()) {
    if (stop.stop_requested()) break;
    const Timestamp now = clock_.now();
    // Running tasks: ended, or past their timeout.
    for (Active& a : active) {
      if (a.phase != Active::Phase::running) continue;
      if (const auto status = a.process->poll()) {
        finish(a, *status, a.terminated);
      } else if (now >= a.deadline && !a.terminated) {
        a.process->terminate();
        a.terminated = true;
        a.deadline = now + int64_t{options_.stop_grace_seconds} * kSecond;  // then SIGKILL
        continue;
      } else if (now >= a.deadline) {
        a.process->kill();
        continue;
      } else {
        continue;
      }
      --running;
      TRY(settle(a));
    }
    // Waiting runs whose upstream failed are skipped; ready ones start, up to the concurrency.
    std::optional<Timestamp> wake;
    for (Active& a : active) {
      if (a.phase == Active::Phase::waiting) {
        const auto failed = std::ranges::find_if(a.upstream, [&](size_t j) {
          return active[j].phase == Active::Phase::done && active[j].run.state != TaskState::success;
        });
        if (failed != a.upstream.end()) {
          const TaskRun& up = active[*failed].run;
          a.run.state = TaskState::skipped;
          a.run.error = fmt::format("upstream task '{}' {} for {} .. {}", up.task, state_name(up.state), up.interval_start.iso(), up.interval_end.iso());
          a.run.ended_at = now;
          a.phase = Active::Phase::done;
          TRY(settle(a));
          continue;
        }
        if (!std::ranges::all_of(a.upstream, [&](size_t j) { return active[j].phase == Active::Phase::done; })) continue;
      } else if (a.phase == Active::Phase::retry_wait) {
        if (now < a.retry_at) {
          wake = std::min(wake.value_or(a.retry_at), a.retry_at);
          continue;
        }
      } else {
        continue;
      }
      if (running >= static_cast<size_t>(config_.concurrency)) continue;
      if (a.phase == Active::Phase::retry_wait) ++a.run.attempt;
      const core::TaskConfig& config = dag_.tasks[a.planned.task].config;
      std::vector<std::string> argv = options_.command_prefix;
      for (std::string& word : command_words(config, a.planned.interval_start, a.planned.interval_end)) argv.push_back(std::move(word));
      const std::string log_key = lake::layout::task_log_key(a.run.run_id, a.run.attempt);
      io::ProcessSpec spec{std::move(argv),
                           {{"CRYPTOLAKE_TASK_REPORT", lake::layout::task_report_key(a.run.run_id, a.run.attempt)},
                            {"CRYPTOLAKE_RUN_ID", a.run.run_id}},
                           store_.location(log_key)};
      a.run.started_at = now;
      a.run.ended_at.reset();
      a.run.rows_in.reset();
      a.run.rows_out.reset();
      a.run.error.clear();
      a.terminated = false;
      auto process = launcher_.start(spec);
      if (!process) {
        finish(a, 127, false);
        a.run.error = "cannot start: " + process.error().message;  // what the launcher said, not a log there is none of
        TRY(settle(a));
        continue;
      }
      a.process = std::move(*process);
      a.deadline = now + std::max<int64_t>(1, config.timeout_seconds) * kSecond;
      a.phase = Active::Phase::running;
      a.run.state = TaskState::running;
      ++running;
      TRY(record(a.run));
    }
    if (done == active.size()) break;
    const Timestamp next_poll = now + std::chrono::duration_cast<std::chrono::microseconds>(options_.poll).count();
    // Only retries waiting: sleep until the first is due.
    const Timestamp until = running == 0 && wake ? *wake : std::min(next_poll, wake.value_or(next_poll));
    if (!clock_.sleep_until(until, stop)) break;
  }

  if (done < active.size()) {
    // Stopped: running tasks are asked to finish (SIGTERM), then killed after the grace.
    report.stopped = true;
    for (Active& a : active) {
      if (a.phase == Active::Phase::running) a.process->terminate();
    }
    const int polls = options_.stop_grace_seconds * 20;
    for (int k = 0; k < polls && std::ranges::any_of(active, [](Active& a) {
                      return a.phase == Active::Phase::running && !a.process->poll();
                    });
         ++k) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // real processes, real time
    }
    for (Active& a : active) {
      if (a.phase == Active::Phase::done) continue;
      if (a.phase == Active::Phase::running) {
        if (!a.process->poll()) a.process->kill();
        a.process.reset();
        a.run.ended_at = clock_.now();
      }
      a.run.state = TaskState::abandoned;
      a.run.error = "the scheduler was stopped (SIGTERM) before this run finished";
      TRY(record(a.run));
      ++report.abandoned;
    }
  }
  if (options_.after_execute) options_.after_execute(plan);
  return report;
}

core::Status Scheduler::serve(std::stop_token stop, const std::vector<std::string>& only) {
  while (!stop.stop_requested()) {
    const Plan plan = due(clock_.now(), only);
    if (!plan.runs.empty()) TRY(execute(plan, stop));
    std::optional<Timestamp> next;
    const Timestamp now = clock_.now();
    for (const DagTask& task : dag_.tasks) {
      if (const auto at = task.cron.next_after(now)) next = std::min(next.value_or(*at), *at);
    }
    if (!next) return core::fail(core::ErrorCode::invalid_argument, "no task of the schedule ever fires again");
    if (!clock_.sleep_until(*next, stop)) break;
  }
  return {};
}

}  // namespace cryptolake::schedule
