#include "io/real/file_budget_ledger.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include <spdlog/spdlog.h>

namespace cryptolake::io {

FileBudgetLedger::FileBudgetLedger(std::filesystem::path directory) : directory_(std::move(directory)) {
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
}

BudgetState FileBudgetLedger::update(std::string_view service, const std::function<void(BudgetState&)>& change) {
  std::lock_guard lock(mutex_);
  const std::string path = (directory_ / (std::string(service) + ".budget")).string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || ::flock(fd, LOCK_EX) != 0) {
    if (fd >= 0) ::close(fd);
    static std::once_flag warned;
    std::call_once(warned, [&] { spdlog::warn("rate budget file {} unusable; budget is per process", path); });
    return fallback_.update(service, change);
  }
  BudgetState state;
  char text[128] = {};
  const ssize_t n = ::pread(fd, text, sizeof(text) - 1, 0);
  if (n > 0) {
    long long a = 0, b = 0, c = 0, d = 0;
    if (std::sscanf(text, "%lld %lld %lld %lld", &a, &b, &c, &d) == 4) state = {a, b, c, d};
  }
  change(state);
  const std::string out = std::to_string(state.window_start_us) + " " + std::to_string(state.used) + " " +
                          std::to_string(state.blocked_until_us) + " " + std::to_string(state.slow_until_us) + "\n";
  if (::ftruncate(fd, 0) == 0 && ::pwrite(fd, out.data(), out.size(), 0) < 0) {
    spdlog::debug("rate budget file {}: write failed", path);
  }
  ::flock(fd, LOCK_UN);
  ::close(fd);
  return state;
}

}  // namespace cryptolake::io
