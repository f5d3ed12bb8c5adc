#include "io/real/progress_line.hpp"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

namespace cryptolake::io {

ProgressLine::ProgressLine(std::string label) : label_(std::move(label)), enabled_(::isatty(STDERR_FILENO) == 1) {}

ProgressLine::~ProgressLine() {
  if (drawn_) fmt::print(stderr, "\r\033[K");
}

void ProgressLine::update(size_t done, size_t total, std::string_view detail) {
  if (!enabled_ || total == 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const size_t percent = std::min<size_t>(100, done * 100 / total);
  const size_t filled = percent / 5;
  fmt::print(stderr, "\r\033[K{:<18} [{}{}] {:>3}% {}/{} {}", label_, std::string(filled, '#'),
             std::string(20 - filled, '.'), percent, done, total, detail);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace cryptolake::io
