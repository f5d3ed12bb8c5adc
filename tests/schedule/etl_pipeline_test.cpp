#include "schedule/etl_pipeline.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "io/manual_clock.hpp"
#include "lake/layout.hpp"
#include "lake/local_object_store.hpp"
#include "lake/raw_zone.hpp"
#include "sources/simulator/simulator.hpp"
#include "support/prefixed_store.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::schedule {
namespace {

// The stages run in the order given: each must read only raw data or tables an earlier stage
// wrote, or it would read yesterday's version of its input.
TEST(EtlStages, EveryCuratedInputIsWrittenByAnEarlierStage) {
  const auto stages = etl_stages();
  ASSERT_FALSE(stages.empty());
  std::set<std::string> written;
  for (const auto& stage : stages) {
    for (const std::string& input : stage->inputs()) {
      if (input.starts_with("raw/")) continue;
      ASSERT_TRUE(input.starts_with("curated/")) << stage->name() << ": " << input;
      EXPECT_TRUE(written.contains(input.substr(8))) << stage->name() << " reads " << input << " before any stage writes it";
    }
    for (const std::string& output : stage->outputs()) {
      EXPECT_TRUE(written.insert(output).second) << output << " is written by two stages";
    }
  }
  // Posts are tagged against dim_coin while they are transformed.
  std::vector<std::string_view> names;
  for (const auto& stage : stages) names.push_back(stage->name());
  EXPECT_LT(std::ranges::find(names, "dim_coin"), std::ranges::find(names, "posts"));
  EXPECT_TRUE(written.contains("market_ohlcv"));
  EXPECT_TRUE(written.contains("sentiment_price_summary"));
}

}  // namespace
}  // namespace cryptolake::schedule

namespace cryptolake::schedule {
namespace {

// Two days of two simulated symbols, landed in `store`, then the whole pipeline.
core::Result<PipelineRun> simulate_and_run(lake::ObjectStore& store, const std::filesystem::path& duckdb_home) {
  sources::simulator::SimulationOptions options;
  options.config.symbols = {"BTC-USDT", "ETH-USDT"};
  options.config.days = 2;
  options.config.posts_per_hour = 1.0;
  lake::RawZoneWriter raw(store);
  TRY(sources::simulator::run_simulation(options, raw));
  TRY_ASSIGN(auto duckdb, lake::DuckDb::open({duckdb_home, 2, "1GB"}));
  io::ManualClock clock(*core::Timestamp::parse_iso("2024-01-05T00:00:00Z"));
  return run_etl_pipeline(store, *duckdb, core::Config{}, 2, clock);
}

// The store is the seam S3 will fill: run the same pipeline on a lake that lives behind a key
// prefix and it must write exactly what it writes at a store's root, and nothing outside its
// prefix. A caller that built paths from a lake directory instead of asking the store would
// write beside the prefix, or read nothing.
TEST(EtlPipeline, RunsTheSameOnAStoreBehindAKeyPrefix) {
  testing::TempDir dir;
  lake::LocalObjectStore plain_root(dir.path() / "plain"), shared_root(dir.path() / "shared");
  testing::PrefixedStore tenant(shared_root, "tenant-a/");
  auto plain = simulate_and_run(plain_root, dir.path() / "plain-duckdb");
  ASSERT_TRUE(plain) << plain.error().message;
  auto prefixed = simulate_and_run(tenant, dir.path() / "shared-duckdb");
  ASSERT_TRUE(prefixed) << prefixed.error().message;

  ASSERT_EQ(plain->stages.size(), prefixed->stages.size());
  for (size_t i = 0; i < plain->stages.size(); ++i) {
    EXPECT_EQ(plain->stages[i].stats.table, prefixed->stages[i].stats.table);
    EXPECT_EQ(plain->stages[i].stats.rows_out, prefixed->stages[i].stats.rows_out) << plain->stages[i].stats.table;
    EXPECT_EQ(plain->stages[i].stats.quarantined, prefixed->stages[i].stats.quarantined) << plain->stages[i].stats.table;
  }
  EXPECT_GT(plain->stages.front().stats.rows_out, 2u * 2 * 1440 - 100);  // market_ohlcv: 2 symbols × 2 days, less injected gaps
  // The same curated files, byte for byte (dq_results carries the run's id, not the data).
  const auto curated = *plain_root.list(lake::layout::kCurated);
  EXPECT_EQ(curated, *tenant.list(lake::layout::kCurated));
  for (const std::string& key : curated) {
    if (key.starts_with(lake::layout::table_prefix("dq_results"))) continue;
    EXPECT_EQ(*plain_root.get(key), *tenant.get(key)) << key;
  }
  const auto everything = *shared_root.list("");
  EXPECT_FALSE(everything.empty());
  for (const std::string& key : everything) EXPECT_TRUE(key.starts_with("tenant-a/")) << key;
}

}  // namespace
}  // namespace cryptolake::schedule
