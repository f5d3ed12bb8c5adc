// One writer per lake: writers started together take turns; --no-wait refuses at once naming the
// holder; a killed holder releases the lake; readers never wait.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "core/timestamp.hpp"
#include "e2e/lake_queries.hpp"
#include "lake/lake_lock.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::testing {
namespace {

namespace fs = std::filesystem;

const core::Timestamp kSince = *core::Timestamp::parse_iso("2026-01-02T03:04:05Z");

TEST(LakeLock, TwoEtlRunsStartedTogetherBothFinishAndTheLakeEqualsOneRun) {
  TempDir dir;
  const fs::path lake = dir.path() / "lake";
  ASSERT_EQ(run_cryptolake({"simulate", "--lake", lake.string(), "--days", "3", "--seed", "5"}).exit_code, 0);
  ASSERT_EQ(run_cryptolake({"etl", "--lake", lake.string()}).exit_code, 0);
  const auto reference = curated_files(lake);
  for (int round = 0; round < 4; ++round) {
    fs::remove_all(lake / "curated");
    auto first = std::async(std::launch::async, [&] { return run_cryptolake({"etl", "--lake", lake.string()}); });
    auto second = std::async(std::launch::async, [&] { return run_cryptolake({"etl", "--lake", lake.string()}); });
    const ProcessResult a = first.get(), b = second.get();
    ASSERT_EQ(a.exit_code, 0) << "round " << round << ": " << a.err;
    ASSERT_EQ(b.exit_code, 0) << "round " << round << ": " << b.err;
    EXPECT_TRUE(curated_files(lake) == reference) << "round " << round << ": the lake differs from a single run's";
  }
}

TEST(LakeLock, ASecondWriterWaitsNamingTheHolderOrWithNoWaitExitsAtOnce) {
  TempDir dir;
  const fs::path lake = dir.path() / "lake";
  ASSERT_EQ(run_cryptolake({"simulate", "--lake", lake.string(), "--days", "1"}).exit_code, 0);
  auto acquired = lake::LakeLock::acquire(lake, "test holder", kSince, lake::LakeLock::Wait::no_wait);
  ASSERT_TRUE(acquired) << acquired.error().message;
  std::optional<lake::LakeLock> held(std::move(*acquired));
  const std::string holder = fmt::format("pid {} (test holder, since 2026-01-02T03:04:05", ::getpid());

  const ProcessResult refused = run_cryptolake({"etl", "--lake", lake.string(), "--no-wait"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("another writer holds the lake"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find(holder), std::string::npos) << refused.err;
  // Readers never wait for the writer.
  EXPECT_EQ(sql_rows(lake, "SELECT 1").size(), 1u);

  // A flag and a relative sleep, not a timed future wait: under faketime (make test-clock) an
  // absolute futex deadline computed from the faked clock would never come.
  std::atomic<bool> finished{false};
  auto waiting = std::async(std::launch::async, [&] {
    ProcessResult result = run_cryptolake({"etl", "--lake", lake.string()});
    finished = true;
    return result;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_FALSE(finished) << "the second writer did not wait";
  held.reset();  // the holder finishes
  const ProcessResult waited = waiting.get();
  EXPECT_EQ(waited.exit_code, 0) << waited.err;
  EXPECT_NE(waited.err.find("waiting for the lake: another writer holds it, " + holder), std::string::npos) << waited.err;
}

TEST(LakeLock, AKilledHolderReleasesTheLake) {
  TempDir dir;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    auto lock = lake::LakeLock::acquire(dir.path(), "doomed", kSince, lake::LakeLock::Wait::no_wait);
    const char byte = lock ? '1' : '0';
    (void)!::write(ready[1], &byte, 1);
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, '1');
  auto busy = lake::LakeLock::acquire(dir.path(), "second", kSince, lake::LakeLock::Wait::no_wait);
  ASSERT_FALSE(busy);
  EXPECT_NE(busy.error().message.find(fmt::format("pid {} (doomed", child)), std::string::npos) << busy.error().message;
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(lake::LakeLock::acquire(dir.path(), "second", kSince, lake::LakeLock::Wait::no_wait));
  ::close(ready[0]);
  ::close(ready[1]);
}

}  // namespace
}  // namespace cryptolake::testing
