// ProcessLauncher on fork/exec. Each child leads its own process group (so terminate/kill reach
// what it starts) and gets SIGTERM when its parent dies, so a scheduler killed with SIGKILL leaves
// no task running unsupervised.
#pragma once

#include "io/process_launcher.hpp"

namespace cryptolake::io {

class PosixProcessLauncher final : public ProcessLauncher {
 public:
  core::Result<std::unique_ptr<ChildProcess>> start(const ProcessSpec& spec) override;
};

// The running program's own path (/proc/self/exe), for starting children of the same binary.
std::string current_executable();

}  // namespace cryptolake::io
