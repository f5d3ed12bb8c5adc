// A one-line progress display on stderr, only when stderr is a terminal.
#pragma once

#include <chrono>
#include <string>

namespace cryptolake::cli {

// Not thread-safe; callers serialise updates (the scanners call back under a lock).
class ProgressLine {
 public:
  explicit ProgressLine(std::string label);
  ~ProgressLine();
  void update(size_t done, size_t total);

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace cryptolake::cli
