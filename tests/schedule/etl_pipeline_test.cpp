#include "schedule/etl_pipeline.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "io/manual_clock.hpp"
#include "lake/layout.hpp"
#include "lake/local_object_store.hpp"
#include "lake/partition_writer.hpp"
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
      if (input.starts_with("raw/") || input.starts_with("_catalog/") || input == "curated/*") continue;
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

namespace cryptolake::schedule {
namespace {

core::Status land_simulation(lake::ObjectStore& store, std::string source, std::string start, int days = 1) {
  sources::simulator::SimulationOptions options;
  options.source = std::move(source);
  options.config.symbols = {"BTC-USDT", "ETH-USDT"};
  options.config.days = days;
  options.config.start = std::move(start);
  options.config.posts_per_hour = 1.0;
  lake::RawZoneWriter raw(store);
  TRY(sources::simulator::run_simulation(options, raw));
  return {};
}

std::map<std::string, std::string> curated_bytes(const lake::ObjectStore& store) {
  std::map<std::string, std::string> files;
  const auto keys = *store.list(lake::layout::kCurated);
  for (const std::string& key : keys) {
    if (!key.starts_with(lake::layout::table_prefix("dq_results"))) files[key] = *store.get(key);
  }
  return files;
}

// Incremental by construction: a run with nothing new reuses every stage; after new raw data
// only the stages that read it (and those downstream) run; either way the lake equals one full
// run over the same raw zone, byte for byte.
TEST(EtlPipeline, ReusesStagesWhoseInputsDidNotChangeAndEndsAsAFullRunWould) {
  testing::TempDir dir;
  lake::LocalObjectStore incremental(dir.path() / "incremental"), full(dir.path() / "full");
  auto db_incremental = lake::DuckDb::open({dir.path() / "incremental", 2, "1GB"});
  auto db_full = lake::DuckDb::open({dir.path() / "full", 2, "1GB"});
  ASSERT_TRUE(db_incremental && db_full);
  io::ManualClock clock(*core::Timestamp::parse_iso("2024-01-05T00:00:00Z"));
  const core::Config config;

  ASSERT_TRUE(land_simulation(incremental, "sim_a", "2024-01-01"));
  auto first = run_etl_pipeline(incremental, **db_incremental, config, 2, clock);
  ASSERT_TRUE(first) << first.error().message;
  for (const StageResult& stage : first->stages) EXPECT_FALSE(stage.stats.reused) << stage.stats.table;

  auto idle = run_etl_pipeline(incremental, **db_incremental, config, 2, clock);
  ASSERT_TRUE(idle) << idle.error().message;
  for (size_t i = 0; i < idle->stages.size(); ++i) {
    EXPECT_TRUE(idle->stages[i].stats.reused) << idle->stages[i].stats.table;
    EXPECT_EQ(idle->stages[i].stats.rows_out, first->stages[i].stats.rows_out) << idle->stages[i].stats.table;
  }

  // A day of klines and posts from another source: the stages reading klines or posts run.
  ASSERT_TRUE(land_simulation(incremental, "sim_b", "2024-01-02"));
  auto second = run_etl_pipeline(incremental, **db_incremental, config, 2, clock);
  ASSERT_TRUE(second) << second.error().message;
  std::map<std::string, bool> reused;
  for (const StageResult& stage : second->stages) reused[stage.stats.table] = stage.stats.reused;
  EXPECT_FALSE(reused.at("market_ohlcv"));
  EXPECT_FALSE(reused.at("posts"));
  EXPECT_FALSE(reused.at("market_features"));
  EXPECT_FALSE(reused.at("sentiment_price"));
  EXPECT_TRUE(reused.at("coin_stats"));   // no CoinGecko data came
  EXPECT_TRUE(reused.at("coin_markets"));

  // Deleting a table's files makes its stage run again even though its inputs did not change.
  const auto daily = *incremental.list(lake::layout::table_prefix("agg_market_daily"));
  ASSERT_FALSE(daily.empty());
  for (const std::string& key : daily) ASSERT_TRUE(incremental.remove(key));
  auto repaired = run_etl_pipeline(incremental, **db_incremental, config, 2, clock);
  ASSERT_TRUE(repaired) << repaired.error().message;
  for (const StageResult& stage : repaired->stages) EXPECT_EQ(stage.stats.reused, stage.stats.table != "agg_market_daily") << stage.stats.table;

  ASSERT_TRUE(land_simulation(full, "sim_a", "2024-01-01"));
  ASSERT_TRUE(land_simulation(full, "sim_b", "2024-01-02"));
  auto once = run_etl_pipeline(full, **db_full, config, 2, clock);
  ASSERT_TRUE(once) << once.error().message;
  const auto expected = curated_bytes(full);
  const auto got = curated_bytes(incremental);
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(got.size(), expected.size());
  for (const auto& [key, bytes] : expected) EXPECT_TRUE(got.contains(key) && got.at(key) == bytes) << key;

  // --full runs every stage and changes nothing.
  auto forced = run_etl_pipeline(incremental, **db_incremental, config, 2, clock, {.force = false, .full = true});
  ASSERT_TRUE(forced) << forced.error().message;
  for (const StageResult& stage : forced->stages) EXPECT_FALSE(stage.stats.reused) << stage.stats.table;
  EXPECT_EQ(curated_bytes(incremental), got);
}

const lake::WriteStats& stats_of(const PipelineRun& run, std::string_view table) {
  return std::ranges::find_if(run.stages, [&](const StageResult& s) { return s.stats.table == table; })->stats;
}

// Cost follows new data: a run after one new day rewrites that day's partitions, not the
// history; late data for an old day rewrites that day (and the features after it, whose windows
// reach back); a consumed raw batch that disappears rebuilds everything. The lake equals a full
// run over the same raw zone throughout.
TEST(EtlPipeline, ANewDayRewritesOnlyThePartitionsItTouches) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path() / "lake"), full(dir.path() / "full");
  auto duckdb = lake::DuckDb::open({dir.path() / "lake", 2, "1GB"});
  auto full_duckdb = lake::DuckDb::open({dir.path() / "full", 2, "1GB"});
  ASSERT_TRUE(duckdb && full_duckdb);
  io::ManualClock clock(*core::Timestamp::parse_iso("2024-01-09T00:00:00Z"));
  const core::Config config;
  ASSERT_TRUE(land_simulation(store, "sim", "2024-01-01", 3));
  auto first = run_etl_pipeline(store, **duckdb, config, 2, clock);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(stats_of(*first, "market_ohlcv").partitions, 3u);

  ASSERT_TRUE(land_simulation(store, "sim", "2024-01-04"));
  auto next_day = run_etl_pipeline(store, **duckdb, config, 2, clock);
  ASSERT_TRUE(next_day) << next_day.error().message;
  for (const std::string_view table : {"market_ohlcv", "posts", "market_features", "agg_market_hourly", "agg_market_daily"}) {
    EXPECT_EQ(stats_of(*next_day, table).partitions, 1u) << table;
  }
  EXPECT_EQ(stats_of(*next_day, "market_features").rows_out, stats_of(*next_day, "market_ohlcv").rows_out);
  EXPECT_LT(stats_of(*next_day, "market_ohlcv").records_in, stats_of(*first, "market_ohlcv").records_in / 2);

  // Late candles for day 2 (another source's series): day 2 of the facts, days 2-4 of the features.
  ASSERT_TRUE(land_simulation(store, "late", "2024-01-02"));
  auto late = run_etl_pipeline(store, **duckdb, config, 2, clock);
  ASSERT_TRUE(late) << late.error().message;
  EXPECT_EQ(stats_of(*late, "market_ohlcv").partitions, 1u);
  EXPECT_EQ(stats_of(*late, "market_features").partitions, 3u);

  // A consumed batch is gone: what was built from it cannot stand, every day is rebuilt.
  const auto batches = *store.list(lake::layout::raw_prefix("sim", "klines"));
  ASSERT_FALSE(batches.empty());
  ASSERT_TRUE(store.remove(batches.front()));
  auto shrunk = run_etl_pipeline(store, **duckdb, config, 2, clock);
  ASSERT_TRUE(shrunk) << shrunk.error().message;
  EXPECT_EQ(stats_of(*shrunk, "market_ohlcv").partitions, 4u);

  // Two sources carry BTC-USDT and ETH-USDT on day 2: each coin's hour is priced once, by one of them.
  auto connection = (*duckdb)->connect();
  ASSERT_TRUE(connection);
  auto doubled = connection->query(fmt::format("SELECT count(*) - count(DISTINCT (coin, hour)), count(*) FROM read_parquet({})",
                                               lake::sql_string(lake::table_glob(store, "sentiment_price"))));
  ASSERT_TRUE(doubled) << doubled.error().message;
  EXPECT_EQ(doubled->int64(0, 0), 0);
  EXPECT_GT(doubled->int64(1, 0), 0);

  const auto raw = *store.list(lake::layout::kRaw);
  for (const std::string& key : raw) ASSERT_TRUE(full.put(key, *store.get(key)));
  auto once = run_etl_pipeline(full, **full_duckdb, config, 2, clock);
  ASSERT_TRUE(once) << once.error().message;
  const auto expected = curated_bytes(full);
  const auto got = curated_bytes(store);
  EXPECT_EQ(got.size(), expected.size());
  for (const auto& [key, bytes] : expected) EXPECT_TRUE(got.contains(key) && got.at(key) == bytes) << key;
}

}  // namespace
}  // namespace cryptolake::schedule
