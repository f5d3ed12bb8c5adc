#include "schedule/run_history.hpp"
#include "schedule/scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "lake/layout.hpp"
#include "lake/local_object_store.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::schedule {
namespace {

using core::Timestamp;

TEST(RunHistory, WhatIsRecordedReadsBackInOrderAndABrokenLineIsSkipped) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path());
  RunHistory history(store);
  const Timestamp t1 = *Timestamp::parse_iso("2026-01-02T03:04:05Z"), t2 = t1 + 90 * Timestamp::kMicrosPerSecond;
  ASSERT_TRUE(history.record(StageRun{"run-1", "market_ohlcv", t1, 1.25, 1000, 3}));
  ASSERT_TRUE(store.put(lake::layout::kStageRunsKey, *store.get(lake::layout::kStageRunsKey) + "half a line\n"));
  ASSERT_TRUE(history.record(StageRun{"run-1", "posts", t2, 0.5, 20, 0}));
  ASSERT_TRUE(history.record(RateLimitWaits{"binance", 4, 2.5, t2}));

  const auto runs = history.stage_runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].run_id, "run-1");
  EXPECT_EQ(runs[0].stage, "market_ohlcv");
  EXPECT_EQ(runs[0].finished_at, t1);
  EXPECT_DOUBLE_EQ(runs[0].seconds, 1.25);
  EXPECT_EQ(runs[0].rows, 1000u);
  EXPECT_EQ(runs[0].quarantined, 3u);
  EXPECT_EQ(runs[1].stage, "posts");
  EXPECT_EQ(runs[1].finished_at, t2);
  const auto waits = history.rate_limit_waits();
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_EQ(waits[0].service, "binance");
  EXPECT_EQ(waits[0].waits, 4u);
  EXPECT_DOUBLE_EQ(waits[0].waited_seconds, 2.5);
  // The files the serve process and older lakes read: tab-separated, epoch seconds.
  EXPECT_EQ(*store.get(lake::layout::kRateLimitsKey), fmt::format("binance\t4\t2.500000\t{}\n", t2.micros() / 1'000'000));
}

TEST(RunHistory, AnEmptyLakeHasNoHistoryAndRunIdsSayWhen) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path());
  const RunHistory history(store);
  EXPECT_TRUE(history.stage_runs().empty());
  EXPECT_TRUE(history.rate_limit_waits().empty());
  const std::string id = new_run_id(*Timestamp::parse_iso("2026-12-02T07:08:09Z"));
  ASSERT_TRUE(id.starts_with("run-20261202T070809-")) << id;
  const std::string pid = id.substr(std::string_view("run-20261202T070809-").size());
  EXPECT_FALSE(pid.empty());
  EXPECT_TRUE(std::ranges::all_of(pid, [](char c) { return c >= '0' && c <= '9'; })) << id;
}

TEST(RunHistory, ATaskRunsNewestStateWinsPerAttemptAndItsErrorStaysOneLine) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path());
  RunHistory history(store);
  const Timestamp start = *Timestamp::parse_iso("2026-01-02T23:00:00Z"), end = start + Timestamp::kMicrosPerHour;
  TaskRun run{task_run_id("etl", start), "etl", start, end, TaskState::running, 1, start + 5, std::nullopt, std::nullopt, std::nullopt, ""};
  ASSERT_TRUE(history.record(run));
  run.state = TaskState::retrying;
  run.ended_at = start + 9;
  run.error = "exit 1:\tline one\nline two" + std::string(600, 'x');
  ASSERT_TRUE(history.record(run));
  TaskRun second = run;
  second.attempt = 2;
  second.state = TaskState::success;
  second.error.clear();
  second.rows_in = 0;
  second.rows_out = 42;
  ASSERT_TRUE(history.record(second));
  // The next day's interval goes to the next day's file.
  TaskRun next{task_run_id("etl", end), "etl", end, end + Timestamp::kMicrosPerHour, TaskState::queued, 1, std::nullopt, std::nullopt,
               std::nullopt, std::nullopt, ""};
  ASSERT_TRUE(history.record(next));
  EXPECT_TRUE(store.get(lake::layout::task_runs_key("2026-01-02")));
  EXPECT_TRUE(store.get(lake::layout::task_runs_key("2026-01-03")));

  const auto runs = history.task_runs();
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].run_id, "etl-20260102T2300");
  EXPECT_EQ(runs[0].state, TaskState::retrying);
  EXPECT_EQ(runs[0].ended_at, start + 9);
  EXPECT_EQ(runs[0].error.size(), 500u);
  EXPECT_EQ(runs[0].error.substr(0, 26), "exit 1: line one line twox");
  EXPECT_FALSE(runs[0].rows_out);
  EXPECT_EQ(runs[1].attempt, 2);
  EXPECT_EQ(runs[1].state, TaskState::success);
  EXPECT_EQ(runs[1].rows_in, 0);
  EXPECT_EQ(runs[1].rows_out, 42);
  EXPECT_EQ(runs[2].state, TaskState::queued);
  EXPECT_FALSE(runs[2].started_at);
  // Since: only intervals starting then or later.
  const auto later = history.task_runs(end);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].interval_start, end);
}

TEST(RunHistory, TaskStatesHaveNamesAndThreeAreFinal) {
  for (const TaskState s : {TaskState::queued, TaskState::running, TaskState::success, TaskState::failed, TaskState::retrying,
                            TaskState::skipped, TaskState::abandoned}) {
    EXPECT_EQ(parse_state(state_name(s)), s);
  }
  EXPECT_FALSE(parse_state("done"));
  EXPECT_TRUE(is_final(TaskState::success));
  EXPECT_TRUE(is_final(TaskState::failed));
  EXPECT_TRUE(is_final(TaskState::skipped));
  EXPECT_FALSE(is_final(TaskState::abandoned));
  EXPECT_FALSE(is_final(TaskState::retrying));
}

}  // namespace
}  // namespace cryptolake::schedule
