// The scheduler on a ManualClock with a launcher whose "processes" end when the clock says so:
// which intervals run, in what order, with what retries, and what the run history keeps.
#include "schedule/scheduler.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "io/manual_clock.hpp"
#include "lake/layout.hpp"
#include "lake/local_object_store.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::schedule {
namespace {

using core::Timestamp;

constexpr int64_t kSecond = Timestamp::kMicrosPerSecond;
constexpr int64_t kHour = Timestamp::kMicrosPerHour;

Timestamp at(std::string_view iso) { return *Timestamp::parse_iso(iso); }

// What one started process does: how long it runs and how it ends.
struct Behaviour {
  int64_t seconds = 10;
  int exit_code = 0;
  bool ignores_sigterm = false;
  std::string log = {};     // written where the task's output goes, as a child would
  std::string report = {};  // "rows_in\trows_out", left as a child would
};

struct Started {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  Timestamp at;
};

class FakeLauncher final : public io::ProcessLauncher {
 public:
  FakeLauncher(io::Clock& clock, lake::ObjectStore& store) : clock_(clock), store_(store) {}

  // Decides each start's behaviour: (task word after the prefix, attempt number as started).
  std::function<Behaviour(const Started&)> script = [](const Started&) { return Behaviour{}; };
  std::function<void()> on_start;
  std::vector<Started> started;
  size_t terminated = 0, killed = 0;
  size_t running = 0, most_running = 0;

  core::Result<std::unique_ptr<io::ChildProcess>> start(const io::ProcessSpec& spec) override {
    Started s{spec.argv, {spec.env.begin(), spec.env.end()}, clock_.now()};
    const Behaviour b = script(s);
    started.push_back(s);
    if (!b.report.empty()) {
      EXPECT_TRUE(store_.put(s.env.at("CRYPTOLAKE_TASK_REPORT"), b.report));
    }
    if (!b.log.empty()) {
      std::filesystem::create_directories(std::filesystem::path(spec.log_path).parent_path());
      std::ofstream(spec.log_path) << b.log;
    }
    most_running = std::max(most_running, ++running);
    if (on_start) on_start();
    return std::unique_ptr<io::ChildProcess>(std::make_unique<Process>(*this, b, clock_.now() + b.seconds * kSecond));
  }

 private:
  class Process final : public io::ChildProcess {
   public:
    Process(FakeLauncher& owner, Behaviour b, Timestamp end) : owner_(owner), b_(std::move(b)), end_(end) {}
    std::optional<int> poll() override {
      if (!status_ && owner_.clock_.now() >= end_) end(b_.exit_code);
      return status_;
    }
    void terminate() override {
      ++owner_.terminated;
      if (!status_ && !b_.ignores_sigterm) end(128 + 15);
    }
    void kill() override {
      ++owner_.killed;
      if (!status_) end(128 + 9);
    }
    long pid() const override { return 1; }

   private:
    void end(int status) {
      status_ = status;
      --owner_.running;
    }
    FakeLauncher& owner_;
    Behaviour b_;
    Timestamp end_;
    std::optional<int> status_;
  };

  io::Clock& clock_;
  lake::ObjectStore& store_;
};

core::TaskConfig task(std::string name, std::vector<std::string> depends_on = {}, std::string cron = "0 * * * *") {
  core::TaskConfig t;
  t.name = name;
  t.run = "etl --note " + name + " {interval_start} {interval_end}";  // a command the DAG accepts; the fake reads argv[1]
  t.cron = std::move(cron);
  t.depends_on = std::move(depends_on);
  t.retries = 2;
  t.retry_delay_seconds = 60;
  t.timeout_seconds = 600;
  return t;
}

Dag make_dag(std::vector<core::TaskConfig> tasks, core::ScheduleConfig& config) {
  config.tasks = std::move(tasks);
  const DagCheck check = check_dag(config, {"etl"});
  EXPECT_TRUE(check.dag) << (check.problems.empty() ? "" : check.problems[0].message);
  return check.dag.value_or(Dag{});
}

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() : store(dir.path()), clock(at("2026-03-01T10:30:00Z"), /*auto_advance=*/true), launcher(clock, store) {
    // argv: the prefix ("cryptolake"), then "etl --note <task> <interval start> <interval end>".
  }

  Scheduler make(std::vector<core::TaskConfig> tasks, SchedulerOptions options = {}) {
    const Dag dag = make_dag(std::move(tasks), config);
    options.command_prefix = {"cryptolake"};
    options.poll = std::chrono::milliseconds(1000);
    return Scheduler(dag, config, store, clock, launcher, std::move(options));
  }

  // The task names and interval starts of what was started, in order.
  std::vector<std::string> started() const {
    std::vector<std::string> out;
    for (const Started& s : launcher.started) out.push_back(s.argv.at(3) + "@" + s.argv.at(4).substr(11, 5));
    return out;
  }

  testing::TempDir dir;
  lake::LocalObjectStore store;
  io::ManualClock clock;
  FakeLauncher launcher;
  core::ScheduleConfig config;
};

TEST_F(SchedulerTest, AFreshLakeRunsTheNewestIntervalAfterItsDependencies) {
  Scheduler scheduler = make({task("ingest"), task("etl", {"ingest"}), task("quality", {"etl"})});
  const Plan plan = scheduler.due(clock.now());
  ASSERT_EQ(plan.runs.size(), 3u);
  EXPECT_EQ(plan.left_out, 0u);
  const auto report = scheduler.execute(plan, {});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->succeeded, 3u);
  EXPECT_EQ(started(), (std::vector<std::string>{"ingest@09:00", "etl@09:00", "quality@09:00"}));
  // The placeholders became the interval's bounds, and the child is told its run.
  EXPECT_EQ(launcher.started[0].argv.at(4), "2026-03-01T09:00:00.000000Z");
  EXPECT_EQ(launcher.started[0].argv.at(5), "2026-03-01T10:00:00.000000Z");
  EXPECT_EQ(launcher.started[0].env.at("CRYPTOLAKE_RUN_ID"), "ingest-20260301T0900");
  // Each ran after the one before it ended (10 s each).
  EXPECT_EQ(launcher.started[1].at - launcher.started[0].at, 10 * kSecond);
  const auto runs = RunHistory(store).task_runs();
  ASSERT_EQ(runs.size(), 3u);
  for (const TaskRun& r : runs) {
    EXPECT_EQ(r.state, TaskState::success) << r.task;
    EXPECT_EQ(r.attempt, 1);
    EXPECT_EQ(r.interval_start, at("2026-03-01T09:00:00Z"));
    EXPECT_EQ(r.interval_end, at("2026-03-01T10:00:00Z"));
    ASSERT_TRUE(r.started_at && r.ended_at);
    EXPECT_EQ(*r.ended_at - *r.started_at, 10 * kSecond);
  }
  // Nothing more is due until the next hour ends.
  EXPECT_TRUE(scheduler.due(clock.now()).runs.empty());
  clock.set(at("2026-03-01T11:00:00Z"));
  EXPECT_EQ(scheduler.due(clock.now()).runs.size(), 3u);
}

TEST_F(SchedulerTest, AfterAFiveHourOutageExactlyTheFiveMissedIntervalsRun) {
  Scheduler scheduler = make({task("ingest"), task("etl", {"ingest"})});
  ASSERT_TRUE(scheduler.execute(scheduler.due(clock.now()), {}));  // 09:00-10:00
  launcher.started.clear();
  clock.set(at("2026-03-01T15:20:00Z"));  // down from 10:00 to 15:20: 10-11 … 14-15 were missed
  const Plan plan = scheduler.due(clock.now());
  EXPECT_EQ(plan.runs.size(), 10u);
  ASSERT_TRUE(scheduler.execute(plan, {}));
  EXPECT_EQ(started(), (std::vector<std::string>{"ingest@10:00", "etl@10:00", "ingest@11:00", "etl@11:00", "ingest@12:00", "etl@12:00",
                                                 "ingest@13:00", "etl@13:00", "ingest@14:00", "etl@14:00"}));
  EXPECT_TRUE(scheduler.due(clock.now()).runs.empty());
}

TEST_F(SchedulerTest, CatchUpIsBoundedByMaxCatchUpAndCanBeTurnedOff) {
  config.max_catch_up = 3;
  core::TaskConfig no_catch_up = task("rates");
  no_catch_up.catch_up = false;
  Scheduler scheduler = make({task("ingest"), no_catch_up});
  ASSERT_TRUE(scheduler.execute(scheduler.due(clock.now()), {}));
  launcher.started.clear();
  clock.set(at("2026-03-01T16:05:00Z"));  // 10-11 … 15-16 missed: six intervals
  const Plan plan = scheduler.due(clock.now());
  EXPECT_EQ(plan.left_out, 3u);  // ingest's 10, 11, 12 o'clock
  ASSERT_TRUE(scheduler.execute(plan, {}));
  EXPECT_EQ(started(), (std::vector<std::string>{"ingest@13:00", "ingest@14:00", "ingest@15:00", "rates@15:00"}));
}

TEST_F(SchedulerTest, RetriesBackOffExponentiallyThenTheFailureSkipsWhatDependsOnIt) {
  std::vector<TaskRun> failures;
  SchedulerOptions options;
  options.on_final_failure = [&](const TaskRun& r) { failures.push_back(r); };
  Scheduler scheduler = make({task("ingest"), task("etl", {"ingest"}), task("other")}, options);
  launcher.script = [](const Started& s) {
    Behaviour b;
    if (s.argv.at(3) == "ingest") {
      b.exit_code = 2;
      b.log = "starting\nerror: the exchange said 503\n";
    }
    return b;
  };
  const Timestamp t0 = clock.now();
  const auto report = scheduler.execute(scheduler.due(clock.now()), {});
  ASSERT_TRUE(report);
  EXPECT_EQ(report->failed, 1u);
  EXPECT_EQ(report->skipped, 1u);
  EXPECT_EQ(report->succeeded, 1u);
  std::vector<int64_t> ingest_starts;
  for (const Started& s : launcher.started) {
    if (s.argv.at(3) == "ingest") ingest_starts.push_back((s.at - t0) / kSecond);
  }
  // 10 s attempts; the retries wait 60 s, then 120 s.
  EXPECT_EQ(ingest_starts, (std::vector<int64_t>{0, 70, 200}));
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].task, "ingest");
  EXPECT_EQ(failures[0].attempt, 3);
  EXPECT_EQ(failures[0].error, "exit 2: error: the exchange said 503");

  std::map<std::pair<std::string, int>, TaskRun> runs;
  for (TaskRun& r : RunHistory(store).task_runs()) runs[{r.task, r.attempt}] = r;
  EXPECT_EQ(runs.at({"ingest", 1}).state, TaskState::retrying);
  EXPECT_EQ(runs.at({"ingest", 2}).state, TaskState::retrying);
  EXPECT_EQ(runs.at({"ingest", 3}).state, TaskState::failed);
  EXPECT_EQ(runs.at({"etl", 1}).state, TaskState::skipped);
  EXPECT_EQ(runs.at({"etl", 1}).error, "upstream task 'ingest' failed for 2026-03-01T09:00:00.000000Z .. 2026-03-01T10:00:00.000000Z");
  EXPECT_EQ(runs.at({"other", 1}).state, TaskState::success);
  // Failed and skipped are final: the scheduler does not run them again by itself.
  EXPECT_TRUE(scheduler.due(clock.now()).runs.empty());
}

TEST_F(SchedulerTest, ARetryThatSucceedsEndsInSuccessWithWhatTheTaskReported) {
  Scheduler scheduler = make({task("etl")});
  int attempt = 0;
  launcher.script = [&](const Started&) {
    Behaviour b;
    b.exit_code = ++attempt == 1 ? 1 : 0;
    b.report = attempt == 1 ? "" : "1200\t1100\n";
    return b;
  };
  const auto report = scheduler.execute(scheduler.due(clock.now()), {});
  ASSERT_TRUE(report);
  EXPECT_EQ(report->succeeded, 1u);
  const auto runs = RunHistory(store).task_runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].state, TaskState::retrying);
  EXPECT_EQ(runs[0].error, "exit 1");
  EXPECT_EQ(runs[1].state, TaskState::success);
  EXPECT_EQ(runs[1].attempt, 2);
  EXPECT_EQ(runs[1].rows_in, 1200);
  EXPECT_EQ(runs[1].rows_out, 1100);
  EXPECT_FALSE(store.get(lake::layout::task_report_key(runs[1].run_id, 2)));  // read, then removed
}

TEST_F(SchedulerTest, ATaskPastItsTimeoutIsStoppedThenKilled) {
  core::TaskConfig slow = task("slow");
  slow.timeout_seconds = 30;
  slow.retries = 0;
  SchedulerOptions options;
  options.stop_grace_seconds = 5;
  Scheduler scheduler = make({slow}, options);
  launcher.script = [](const Started&) { return Behaviour{.seconds = 3600, .ignores_sigterm = true}; };
  const auto report = scheduler.execute(scheduler.due(clock.now()), {});
  ASSERT_TRUE(report);
  EXPECT_EQ(report->failed, 1u);
  EXPECT_EQ(launcher.terminated, 1u);
  EXPECT_GE(launcher.killed, 1u);
  const auto runs = RunHistory(store).task_runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].state, TaskState::failed);
  EXPECT_EQ(runs[0].error, "timed out after 30 s");
  ASSERT_TRUE(runs[0].started_at && runs[0].ended_at);
  const int64_t took = *runs[0].ended_at - *runs[0].started_at;
  EXPECT_GE(took, 35 * kSecond);  // the timeout, then the grace before SIGKILL
  EXPECT_LE(took, 37 * kSecond);
}

TEST_F(SchedulerTest, RunsAStoppedSchedulerLeftAreAbandonedAndRunAgain) {
  Scheduler scheduler = make({task("ingest"), task("etl", {"ingest"})});
  // A scheduler killed while ingest ran (SIGKILL leaves no chance to record anything more).
  TaskRun left{task_run_id("ingest", at("2026-03-01T09:00:00Z")), "ingest", at("2026-03-01T09:00:00Z"), at("2026-03-01T10:00:00Z"),
               TaskState::running, 1, at("2026-03-01T10:00:05Z"), std::nullopt, std::nullopt, std::nullopt, ""};
  ASSERT_TRUE(RunHistory(store).record(left));
  left.run_id = task_run_id("etl", left.interval_start);
  left.task = "etl";
  left.state = TaskState::queued;
  left.started_at.reset();
  ASSERT_TRUE(RunHistory(store).record(left));

  const auto marked = scheduler.recover();
  ASSERT_TRUE(marked);
  EXPECT_EQ(*marked, 2u);
  auto runs = RunHistory(store).task_runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].state, TaskState::abandoned);
  EXPECT_EQ(runs[1].error, "the scheduler stopped before this attempt finished");
  EXPECT_EQ(runs[0].error, "the scheduler stopped before this run finished");

  ASSERT_TRUE(scheduler.execute(scheduler.due(clock.now()), {}));
  EXPECT_EQ(started(), (std::vector<std::string>{"ingest@09:00", "etl@09:00"}));
  runs = RunHistory(store).task_runs();
  ASSERT_EQ(runs.size(), 4u);  // each run: the abandoned attempt 1 and a successful attempt 2
  EXPECT_EQ(runs[2].task, "ingest");
  EXPECT_EQ(runs[2].attempt, 1);
  EXPECT_EQ(runs[3].attempt, 2);
  EXPECT_EQ(runs[3].state, TaskState::success);
  EXPECT_EQ(*scheduler.recover(), 0u);
}

TEST_F(SchedulerTest, AttemptsGoOnCountingForADailyRunPlannedBesideHourlyOnes) {
  clock.set(at("2026-03-01T00:30:00Z"));
  Scheduler scheduler = make({task("hourly"), task("daily", {}, "0 0 * * *")});
  const Timestamp day = at("2026-02-28T00:00:00Z");
  ASSERT_TRUE(RunHistory(store).record(TaskRun{task_run_id("hourly", at("2026-02-28T22:00:00Z")), "hourly", at("2026-02-28T22:00:00Z"),
                                               at("2026-02-28T23:00:00Z"), TaskState::success, 1, std::nullopt, std::nullopt,
                                               std::nullopt, std::nullopt, ""}));
  ASSERT_TRUE(RunHistory(store).record(TaskRun{task_run_id("daily", day), "daily", day, at("2026-03-01T00:00:00Z"), TaskState::abandoned, 1,
                                               std::nullopt, std::nullopt, std::nullopt, std::nullopt, "stopped"}));
  const Plan plan = scheduler.due(clock.now());
  ASSERT_EQ(plan.runs.size(), 2u);  // hourly 23:00 (its start after the day's) and the day, both ending at midnight
  ASSERT_TRUE(scheduler.execute(plan, {}));
  std::map<int, TaskState> daily;
  for (const TaskRun& r : RunHistory(store).task_runs()) {
    if (r.task == "daily") daily[r.attempt] = r.state;
  }
  EXPECT_EQ(daily, (std::map<int, TaskState>{{1, TaskState::abandoned}, {2, TaskState::success}}));
}

TEST_F(SchedulerTest, ConcurrencyBoundsTheTasksRunningAtOnce) {
  {
    Scheduler scheduler = make({task("a"), task("b"), task("c")});
    ASSERT_TRUE(scheduler.execute(scheduler.due(clock.now()), {}));
    EXPECT_EQ(launcher.most_running, 1u);
  }
  clock.set(at("2026-03-01T11:30:00Z"));
  config.concurrency = 2;
  Scheduler scheduler = make({task("a"), task("b"), task("c")});
  launcher.most_running = 0;
  launcher.started.clear();
  ASSERT_TRUE(scheduler.execute(scheduler.due(clock.now()), {}));
  EXPECT_EQ(launcher.most_running, 2u);
  ASSERT_EQ(launcher.started.size(), 3u);
  EXPECT_EQ(launcher.started[1].at, launcher.started[0].at);
  EXPECT_EQ(launcher.started[2].at - launcher.started[0].at, 10 * kSecond);
}

TEST_F(SchedulerTest, ABackfillRunsEachIntervalInOrderAndResumesWhereItStopped) {
  Scheduler scheduler = make({task("ingest"), task("etl", {"ingest"}), task("daily", {}, "0 0 * * *")});
  launcher.script = [](const Started& s) {
    Behaviour b;
    b.exit_code = s.argv.at(3) == "etl" && s.argv.at(4).substr(11, 2) == "03" ? 1 : 0;  // etl fails for 03:00
    return b;
  };
  config.tasks.clear();
  auto plan = scheduler.backfill(at("2026-02-27T00:00:00Z"), at("2026-02-27T06:00:00Z"), {"ingest", "etl"});
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->runs.size(), 12u);
  auto report = scheduler.execute(*plan, {});
  ASSERT_TRUE(report);
  EXPECT_EQ(report->succeeded, 11u);
  EXPECT_EQ(report->failed, 1u);
  // Again, with the failure mended: only what did not succeed.
  launcher.script = [](const Started&) { return Behaviour{}; };
  launcher.started.clear();
  plan = scheduler.backfill(at("2026-02-27T00:00:00Z"), at("2026-02-27T06:00:00Z"), {"ingest", "etl"});
  ASSERT_TRUE(plan);
  ASSERT_TRUE(scheduler.execute(*plan, {}));
  EXPECT_EQ(started(), (std::vector<std::string>{"etl@03:00"}));
  // A daily task's intervals within a span of days; a task that is not in the DAG is refused.
  plan = scheduler.backfill(at("2026-02-20T00:00:00Z"), at("2026-02-23T00:00:00Z"), {"daily"});
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->runs.size(), 3u);
  const auto refused = scheduler.backfill(at("2026-02-20T00:00:00Z"), at("2026-02-23T00:00:00Z"), {"nope"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "--tasks: 'nope' is not a task of the schedule");
  EXPECT_FALSE(scheduler.backfill(at("2026-02-23T00:00:00Z"), at("2026-02-20T00:00:00Z"), {}));
}

TEST_F(SchedulerTest, TheServiceRunsEachIntervalAsItEndsUntilStopped) {
  Scheduler scheduler = make({task("ingest"), task("etl", {"ingest"})});
  std::stop_source stop;
  launcher.on_start = [&] {
    if (launcher.started.size() == 5) stop.request_stop();  // during the third hour's ingest
  };
  ASSERT_TRUE(scheduler.serve(stop.get_token()));
  EXPECT_EQ(started(), (std::vector<std::string>{"ingest@09:00", "etl@09:00", "ingest@10:00", "etl@10:00", "ingest@11:00"}));
  // Each hour's runs began when the hour ended (the clock slept until then).
  EXPECT_EQ(launcher.started[2].at, at("2026-03-01T11:00:00Z"));
  EXPECT_EQ(launcher.started[4].at, at("2026-03-01T12:00:00Z"));
  const auto runs = RunHistory(store).task_runs();
  ASSERT_EQ(runs.size(), 6u);  // the third hour's etl was queued, then abandoned with its ingest
  EXPECT_EQ(runs.back().state, TaskState::abandoned);
}

TEST_F(SchedulerTest, AStopEndsTheRunningTaskAndRecordsItAbandoned) {
  Scheduler scheduler = make({task("ingest"), task("etl", {"ingest"})});
  std::stop_source stop;
  launcher.script = [](const Started&) { return Behaviour{.seconds = 600}; };
  launcher.on_start = [&] { stop.request_stop(); };
  const auto report = scheduler.execute(scheduler.due(clock.now()), stop.get_token());
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->stopped);
  EXPECT_EQ(report->abandoned, 2u);  // ingest (stopped) and etl (never started)
  EXPECT_EQ(launcher.terminated, 1u);
  const auto runs = RunHistory(store).task_runs();
  ASSERT_EQ(runs.size(), 2u);
  for (const TaskRun& r : runs) EXPECT_EQ(r.state, TaskState::abandoned) << r.task;
  // The next start runs them.
  EXPECT_EQ(scheduler.due(clock.now()).runs.size(), 2u);
}

}  // namespace
}  // namespace cryptolake::schedule
