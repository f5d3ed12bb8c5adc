#include "schedule/run_history.hpp"

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

}  // namespace
}  // namespace cryptolake::schedule
