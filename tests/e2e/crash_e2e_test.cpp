// A process killed mid-ETL (a real SIGKILL) leaves no partial partition visible, and the re-run
// completes with the same bytes as a run that was never interrupted.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

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

  // Published partitions, counted from the folders (cheap enough to poll every few ms).
  const auto published = [&] {
    size_t n = 0;
    std::error_code ec;
    for (const auto& table : fs::directory_iterator(lake / "curated", ec)) {
      if (table.path().filename() == "dq_results") continue;
      for (const auto& part : fs::directory_iterator(table.path(), ec)) n += part.path().filename().string().starts_with("dt=");
    }
    return n;
  };
  // The first kill lands before anything is published; each later one as soon as more
  // partitions than before have appeared, i.e. while the run is publishing.
  size_t kills_mid_run = 0, kills_mid_publish = 0;
  for (const size_t more : {size_t{0}, size_t{1}, size_t{8}, size_t{20}, size_t{30}}) {
    const size_t target = published() + more;
    const int pid = spawn_cryptolake({"etl", "--lake", lake.string()});
    int status = 0;
    bool ended = false;
    if (more == 0) std::this_thread::sleep_for(std::chrono::milliseconds(40));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    while (more > 0 && published() < target && std::chrono::steady_clock::now() < deadline) {
      if (int st = 0; ::waitpid(pid, &st, WNOHANG) == pid) {
        ended = true;
        status = WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (!ended) {
      ::kill(pid, SIGKILL);
      status = wait_child(pid);
    }
    // Whatever is visible is whole: each partition has exactly the reference's rows.
    const auto visible = visible_partitions(lake);
    for (const auto& [partition, count] : visible) {
      ASSERT_TRUE(reference_counts.contains(partition)) << partition;
      EXPECT_EQ(count, reference_counts.at(partition)) << partition << " after a kill at " << target << " partitions";
    }
    if (status == -SIGKILL) ++kills_mid_run;
    // Killed while publishing: some partitions were out, others not yet.
    if (status == -SIGKILL && !visible.empty() && visible.size() < reference_counts.size()) ++kills_mid_publish;
  }
  EXPECT_GT(kills_mid_run, 0u) << "every run finished before the kill; the test did not exercise a crash";
  EXPECT_GT(kills_mid_publish, 1u) << "no kill landed while partitions were being published";

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
