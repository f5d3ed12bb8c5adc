#include "lake/lake_lock.hpp"
#include "lake/layout.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace cryptolake::lake {

namespace fs = std::filesystem;

namespace {

fs::path lock_path(const fs::path& lake_root) { return lake_root / layout::kLockFile; }

// The holder line: "<pid>\t<command>\t<since>\n". Bounded read: the file is ours, but not trusted.
std::optional<LockHolder> read_holder(int fd) {
  char buffer[512];
  const ssize_t n = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (n <= 0) return std::nullopt;
  const std::string_view text(buffer, static_cast<size_t>(n));
  const size_t tab1 = text.find('\t');
  const size_t tab2 = tab1 == std::string_view::npos ? tab1 : text.find('\t', tab1 + 1);
  if (tab2 == std::string_view::npos) return std::nullopt;
  LockHolder holder;
  holder.pid = std::strtol(std::string(text.substr(0, tab1)).c_str(), nullptr, 10);
  holder.command = std::string(text.substr(tab1 + 1, tab2 - tab1 - 1));
  holder.since = std::string(text.substr(tab2 + 1, text.find('\n', tab2) - tab2 - 1));
  return holder;
}

}  // namespace

std::string describe(const LockHolder& holder) {
  return fmt::format("pid {} ({}, since {})", holder.pid, holder.command.empty() ? "unknown command" : holder.command,
                     holder.since.empty() ? "an unknown time" : holder.since);
}

core::Result<LakeLock> LakeLock::acquire(const fs::path& lake_root, std::string_view command, core::Timestamp now,
                                         Wait wait, const OnWait& on_wait) {
  return acquire_file(lock_path(lake_root), command, now, wait, on_wait);
}

core::Result<LakeLock> LakeLock::acquire_file(const fs::path& file, std::string_view command, core::Timestamp now, Wait wait,
                                              const OnWait& on_wait) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) return core::fail(core::ErrorCode::io_error, "cannot create {}: {}", file.parent_path().string(), ec.message());
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return core::fail(core::ErrorCode::io_error, "cannot open {}: {}", file.string(), std::strerror(errno));
  // Until the lock is ours, closing is all that may happen to the file: the holder line is the holder's.
  struct Unheld {
    int fd;
    ~Unheld() { if (fd >= 0) ::close(fd); }
  } unheld{fd};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return core::fail(core::ErrorCode::io_error, "cannot lock the lake: {}", std::strerror(errno));
    const LockHolder holder = read_holder(fd).value_or(LockHolder{});
    if (wait == Wait::no_wait) {
      return core::fail(core::ErrorCode::unavailable, "another writer holds the lake ({}): {}", file.string(), describe(holder));
    }
    if (on_wait) on_wait(holder);
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) return core::fail(core::ErrorCode::io_error, "cannot lock the lake: {}", std::strerror(errno));
    }
  }
  unheld.fd = -1;
  LakeLock lock(fd);
  const std::string line = fmt::format("{}\t{}\t{}\n", ::getpid(), command, now.iso());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
    return core::fail(core::ErrorCode::io_error, "cannot write {}: {}", file.string(), std::strerror(errno));
  }
  return lock;
}

LakeLock::~LakeLock() {
  if (fd_ < 0) return;
  // Clear the holder line before letting go, so a stale name is never shown.
  if (::ftruncate(fd_, 0) != 0) { /* the next holder overwrites it */ }
  ::close(fd_);  // releases the flock
}

}  // namespace cryptolake::lake
