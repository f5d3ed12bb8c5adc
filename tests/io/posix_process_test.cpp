// Real child processes: exit codes, signals, output into the log, the environment added.
#include "io/real/posix_process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::io {
namespace {

// Polls until the child ends (a real process: real time, at most 10 s).
std::optional<int> wait_for(ChildProcess& child) {
  for (int i = 0; i < 1000; ++i) {
    if (auto status = child.poll()) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

TEST(PosixProcess, AChildsExitCodeOutputAndEnvironment) {
  testing::TempDir dir;
  const std::string log = (dir.path() / "logs" / "task.log").string();
  PosixProcessLauncher launcher;
  auto child = launcher.start({{"/bin/sh", "-c", "echo \"run $CRYPTOLAKE_RUN_ID\"; echo oops >&2; exit 3"}, {{"CRYPTOLAKE_RUN_ID", "etl-1"}}, log});
  ASSERT_TRUE(child) << child.error().message;
  EXPECT_EQ(wait_for(**child), 3);
  EXPECT_EQ((*child)->poll(), 3);  // stays known
  EXPECT_EQ(testing::read_file(log), "run etl-1\noops\n");
  // A second start appends to the same log.
  auto again = launcher.start({{"/bin/echo", "again"}, {}, log});
  ASSERT_TRUE(again);
  EXPECT_EQ(wait_for(**again), 0);
  EXPECT_EQ(testing::read_file(log), "run etl-1\noops\nagain\n");
}

TEST(PosixProcess, TerminateAndKillReachTheChildAndWhatItStarted) {
  PosixProcessLauncher launcher;
  auto child = launcher.start({{"/bin/sh", "-c", "sleep 30 & wait"}, {}, ""});
  ASSERT_TRUE(child);
  EXPECT_FALSE((*child)->poll());
  (*child)->terminate();
  const auto status = wait_for(**child);
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, 128 + 15);

  auto stubborn = launcher.start({{"/bin/sh", "-c", "trap '' TERM; sleep 30"}, {}, ""});
  ASSERT_TRUE(stubborn);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the shell set its trap
  (*stubborn)->terminate();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE((*stubborn)->poll());
  (*stubborn)->kill();
  EXPECT_EQ(wait_for(**stubborn), 128 + 9);
}

TEST(PosixProcess, AProgramThatCannotStartEndsWith127) {
  PosixProcessLauncher launcher;
  auto child = launcher.start({{"/nonexistent/cryptolake"}, {}, ""});
  ASSERT_TRUE(child);
  EXPECT_EQ(wait_for(**child), 127);
  EXPECT_FALSE(launcher.start({{}, {}, ""}));
}

}  // namespace
}  // namespace cryptolake::io
