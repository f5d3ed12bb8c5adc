// Runs the cryptolake binary as a child process, as a user would.
#pragma once

#include <string>
#include <vector>

namespace cryptolake::testing {

struct ProcessResult {
  int exit_code = -1;  // -signal when killed
  std::string out;
  std::string err;
};

// Runs CRYPTOLAKE_BINARY with `args`, waits, and captures stdout and stderr.
ProcessResult run_cryptolake(const std::vector<std::string>& args);

// Starts CRYPTOLAKE_BINARY with `args` (output discarded) and returns its pid.
int spawn_cryptolake(const std::vector<std::string>& args);
// Waits for a child; returns its exit code, or -signal.
int wait_child(int pid);

std::string read_file(const std::string& path);

}  // namespace cryptolake::testing
