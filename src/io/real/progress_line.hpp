// A one-line progress display on stderr, only when stderr is a terminal.
#pragma once

#include <chrono>
#include <string>

namespace cryptolake::io {

// Not thread-safe; callers serialise updates (the scanners call back under a lock).
class ProgressLine {
 public:
  explicit ProgressLine(std::string label);
  ~ProgressLine();
  // `detail` follows the bar ("1.2 M rows/s, weight 1200/6000").
  void update(size_t done, size_t total, std::string_view detail = {});

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace cryptolake::io
