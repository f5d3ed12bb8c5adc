// A process killed mid-ETL (a real SIGKILL) leaves no partial partition visible, and the re-run
// completes with the same bytes as a run that was never interrupted.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <thread>

#include "e2e/lake_queries.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::testing {
namespace {

namespace fs = std::filesystem;

// dt -> row count of every visible partition of every curated table.
std::map<std::string, std::string> visible_partitions(const fs::path& lake) {
  std::map<std::string, std::string> counts;
  if (!fs::exists(lake / "curated")) return counts;
  for (const auto& table : fs::directory_iterator(lake / "curated")) {
    const std::string name = table.path().filename().string();
    if (name == "dq_results") continue;  // a log every run appends to
    bool any = false;
    for (const auto& part : fs::directory_iterator(table.path())) any = any || part.path().filename().string().starts_with("dt=");
    if (!any) continue;
    // Reading every visible file through the view fails loudly on a torn or missing file.
    for (const auto& row : sql_rows(lake, "SELECT dt, count(*) FROM " + name + " GROUP BY dt")) {
      counts[name + "/" + row.at(0)] = row.at(1);
    }
  }
  return counts;
}

TEST(KilledEtl, LeavesNoPartialPartitionAndTheRerunCompletes) {
  TempDir dir;
  const fs::path lake = dir.path() / "lake";
  const ProcessResult simulate = run_cryptolake({"simulate", "--lake", lake.string(), "--days", "12", "--seed", "9"});
  ASSERT_EQ(simulate.exit_code, 0) << simulate.err;

  // The reference: an uninterrupted run.
  ASSERT_EQ(run_cryptolake({"etl", "--lake", lake.string()}).exit_code, 0);
  const auto reference_files = curated_files(lake);
  const auto reference_counts = visible_partitions(lake);
  ASSERT_GE(reference_counts.size(), 4u * 12);  // four daily tables over 12 days, and more
  fs::remove_all(lake / "curated");

  size_t kills_mid_run = 0;
  for (const int delay_ms : {40, 120, 250, 400, 600, 800}) {
    const int pid = spawn_cryptolake({"etl", "--lake", lake.string()});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(pid, SIGKILL);
    const int status = wait_child(pid);
    // Whatever is visible is whole: each partition has exactly the reference's rows.
    const auto visible = visible_partitions(lake);
    for (const auto& [partition, count] : visible) {
      ASSERT_TRUE(reference_counts.contains(partition)) << partition;
      EXPECT_EQ(count, reference_counts.at(partition)) << partition << " after a kill at " << delay_ms << " ms";
    }
    if (status == -SIGKILL) ++kills_mid_run;
  }
  EXPECT_GT(kills_mid_run, 0u) << "every run finished before the kill; the test did not exercise a crash";

  const ProcessResult rerun = run_cryptolake({"etl", "--lake", lake.string()});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  const auto after = curated_files(lake);
  EXPECT_EQ(after.size(), reference_files.size());
  for (const auto& [path, bytes] : reference_files) {
    EXPECT_TRUE(after.contains(path) && after.at(path) == bytes) << path << " differs after the re-run";
  }
  EXPECT_FALSE(fs::exists(lake / "curated/market_ohlcv/_staging") && !fs::is_empty(lake / "curated/market_ohlcv/_staging"));
}

}  // namespace
}  // namespace cryptolake::testing
