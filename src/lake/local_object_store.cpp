#include "lake/local_object_store.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace cryptolake::lake {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::fail;

namespace {

core::Status write_file(const fs::path& path, std::string_view bytes, bool sync) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(ErrorCode::io_error, "cannot create {}: {}", path.string(), std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return fail(ErrorCode::io_error, "cannot write {}: {}", path.string(), std::strerror(err));
    }
    written += static_cast<size_t>(n);
  }
  if (sync && ::fdatasync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return fail(ErrorCode::io_error, "cannot sync {}: {}", path.string(), std::strerror(err));
  }
  if (::close(fd) != 0) return fail(ErrorCode::io_error, "cannot close {}: {}", path.string(), std::strerror(errno));
  return {};
}

}  // namespace

// The root without a trailing separator, so listed paths are lexically relative to it.
LocalObjectStore::LocalObjectStore(fs::path root, Options options)
    : root_(root.has_filename() || !root.has_parent_path() ? std::move(root) : root.parent_path()), options_(options) {}

namespace {

// Directories are renamed by their own name, not "name/".
std::string_view without_trailing_slash(std::string_view key) {
  while (key.ends_with('/')) key.remove_suffix(1);
  return key;
}

}  // namespace

fs::path LocalObjectStore::path_of(std::string_view key) const { return root_ / fs::path(key); }

core::Status LocalObjectStore::put(std::string_view key, std::string_view bytes) {
  const fs::path target = path_of(key);
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return fail(ErrorCode::io_error, "cannot create {}: {}", target.parent_path().string(), ec.message());
  const fs::path temp = target.parent_path() /
                        fmt::format(".tmp-{}-{}-{}", target.filename().string(), ::getpid(), counter_.fetch_add(1));
  if (auto status = write_file(temp, bytes, options_.sync); !status) {
    fs::remove(temp, ec);
    return status;
  }
  fs::rename(temp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    return fail(ErrorCode::io_error, "cannot publish {}: {}", target.string(), ec.message());
  }
  return {};
}

core::Result<std::string> LocalObjectStore::get(std::string_view key) const {
  const fs::path path = path_of(key);
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::not_found, "no object {}", path.string());
  std::string bytes;
  in.seekg(0, std::ios::end);
  bytes.resize(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!in) return fail(ErrorCode::io_error, "cannot read {}", path.string());
  return bytes;
}

core::Result<std::vector<std::string>> LocalObjectStore::list(std::string_view prefix) const {
  std::vector<std::string> keys;
  const fs::path base = path_of(prefix);
  std::error_code ec;
  if (!fs::exists(base, ec)) return keys;
  if (fs::is_regular_file(base, ec)) return std::vector<std::string>{std::string(prefix)};
  fs::recursive_directory_iterator it(base, ec), end;
  if (ec) return fail(ErrorCode::io_error, "cannot list {}: {}", base.string(), ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return fail(ErrorCode::io_error, "cannot list {}: {}", base.string(), ec.message());
    const std::string name = it->path().filename().string();
    if (is_hidden_name(name)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    // Lexically: every listed path starts with root_ (fs::relative would resolve symlinks, a
    // readlink per path component of every key — most of a lander's time on a 600-day lake).
    if (it->is_regular_file()) keys.push_back(it->path().lexically_relative(root_).generic_string());
  }
  std::ranges::sort(keys);
  return keys;
}

core::Result<std::vector<std::string>> LocalObjectStore::list_prefixes(std::string_view prefix) const {
  std::vector<std::string> prefixes;
  const fs::path base = path_of(prefix);
  std::error_code ec;
  if (!fs::is_directory(base, ec)) return prefixes;
  fs::directory_iterator it(base, ec), end;
  if (ec) return fail(ErrorCode::io_error, "cannot list {}: {}", base.string(), ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return fail(ErrorCode::io_error, "cannot list {}: {}", base.string(), ec.message());
    const std::string name = it->path().filename().string();
    if (!is_hidden_name(name) && it->is_directory(ec)) prefixes.push_back(fmt::format("{}{}/", prefix, name));
  }
  std::ranges::sort(prefixes);
  return prefixes;
}

core::Status LocalObjectStore::remove(std::string_view key) {
  std::error_code ec;
  fs::remove(path_of(key), ec);
  if (ec) return fail(ErrorCode::io_error, "cannot remove {}: {}", key, ec.message());
  return {};
}

core::Result<std::string> LocalObjectStore::stage(std::string_view prefix) {
  const std::string_view name = without_trailing_slash(prefix);
  const size_t slash = name.rfind('/');
  const std::string parent(slash == std::string_view::npos ? std::string_view() : name.substr(0, slash + 1));
  const std::string leaf(slash == std::string_view::npos ? name : name.substr(slash + 1));
  std::string staged = fmt::format("{}_staging/{}-{}-{}/", parent, leaf, ::getpid(), counter_.fetch_add(1));
  std::error_code ec;
  fs::create_directories(path_of(staged), ec);
  if (ec) return fail(ErrorCode::io_error, "cannot create staging {}: {}", staged, ec.message());
  return staged;
}

void LocalObjectStore::discard(std::string_view staged) {
  std::error_code ignored;
  fs::remove_all(path_of(staged), ignored);
}

std::string LocalObjectStore::location(std::string_view key) const { return path_of(key).lexically_normal().string(); }

core::Result<uint64_t> LocalObjectStore::size(std::string_view key) const {
  std::error_code ec;
  const auto bytes = fs::file_size(path_of(key), ec);
  if (ec) return fail(ec == std::errc::no_such_file_or_directory ? ErrorCode::not_found : ErrorCode::io_error, "{}: {}", key, ec.message());
  return static_cast<uint64_t>(bytes);
}

core::Status LocalObjectStore::publish(std::string_view staged_key, std::string_view prefix) {
  const fs::path staged = path_of(without_trailing_slash(staged_key));
  const fs::path target = path_of(without_trailing_slash(prefix));
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return fail(ErrorCode::io_error, "cannot create {}: {}", target.parent_path().string(), ec.message());
  if (options_.sync) {
    for (const auto& entry : fs::directory_iterator(staged, ec)) {
      const int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        ::fdatasync(fd);
        ::close(fd);
      }
    }
  }
  // Fresh partition: a plain rename. Existing partition: swap both directories in one step, then
  // drop the old contents, which now sit at the staging path.
  if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) return {};
  if (errno != EEXIST) {
    return fail(ErrorCode::io_error, "cannot publish {}: {}", target.string(), std::strerror(errno));
  }
  if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
    return fail(ErrorCode::io_error, "cannot swap in {}: {}", target.string(), std::strerror(errno));
  }
  fs::remove_all(staged, ec);
  return {};
}

core::Status LocalObjectStore::remove_stale_staging(std::string_view prefix) {
  const fs::path base = path_of(prefix);
  std::error_code ec;
  if (!fs::exists(base, ec)) return {};
  std::vector<fs::path> stale;
  for (fs::recursive_directory_iterator it(base, ec), end; it != end && !ec; it.increment(ec)) {
    if (is_hidden_name(it->path().filename().string())) {
      stale.push_back(it->path());
      if (it->is_directory()) it.disable_recursion_pending();
    }
  }
  for (const fs::path& path : stale) {
    fs::remove_all(path, ec);
    if (ec) return fail(ErrorCode::io_error, "cannot remove stale {}: {}", path.string(), ec.message());
  }
  return {};
}

}  // namespace cryptolake::lake
