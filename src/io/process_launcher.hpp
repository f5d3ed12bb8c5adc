// The port to child processes: start a program, poll it, ask it to stop. The scheduler runs each
// task as a child process of the cryptolake binary through this, so a task that hangs or crashes
// is bounded and cannot take the scheduler with it. io/real/posix_process fills it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace cryptolake::io {

struct ProcessSpec {
  std::vector<std::string> argv;                           // argv[0]: the program's path
  std::vector<std::pair<std::string, std::string>> env;    // added to the parent's environment
  std::string log_path;                                    // stdout and stderr go here (appended)
};

class ChildProcess {
 public:
  virtual ~ChildProcess() = default;
  // The exit status once it has ended: its exit code, or 128 + the signal that ended it.
  virtual std::optional<int> poll() = 0;
  // SIGTERM (finish cleanly) and SIGKILL (now), to the child and everything it started.
  virtual void terminate() = 0;
  virtual void kill() = 0;
  virtual long pid() const = 0;
};

class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  [[nodiscard]] virtual core::Result<std::unique_ptr<ChildProcess>> start(const ProcessSpec& spec) = 0;
};

}  // namespace cryptolake::io
