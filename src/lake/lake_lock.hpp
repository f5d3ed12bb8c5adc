// One writer per lake: an exclusive flock on <lake>/_catalog/lock, held for the life of the
// process's write. The kernel drops it when the holder dies (even by SIGKILL), so a crashed writer
// never blocks the next. The file names the holder (pid, command, since) for whoever waits.
// Readers (sql, serve) never take it.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace cryptolake::lake {

struct LockHolder {
  long pid = 0;
  std::string command;
  std::string since;  // ISO-8601 UTC
};

class LakeLock {
 public:
  enum class Wait { block, no_wait };
  // Called once, before blocking, with the current holder (as far as its file tells).
  using OnWait = std::function<void(const LockHolder&)>;

  [[nodiscard]] static core::Result<LakeLock> acquire(const std::filesystem::path& lake_root, std::string_view command,
                                                      core::Timestamp now, Wait wait, const OnWait& on_wait = {});
  // The same on any lock file (the lander's per-partition landing locks).
  [[nodiscard]] static core::Result<LakeLock> acquire_file(const std::filesystem::path& file, std::string_view command, core::Timestamp now,
                                                           Wait wait, const OnWait& on_wait = {});
  LakeLock(LakeLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  LakeLock& operator=(LakeLock&&) = delete;
  ~LakeLock();

 private:
  explicit LakeLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

std::string describe(const LockHolder& holder);

}  // namespace cryptolake::lake
