#include "lake/day_spill.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <utility>

#include <fmt/format.h>

namespace cryptolake::lake {

namespace fs = std::filesystem;

core::Result<DaySpillFiles> DaySpillFiles::create(std::string_view purpose, const fs::path& parent) {
  static std::atomic<unsigned> counter{0};
  std::error_code error;
  const fs::path base = parent.empty() ? fs::temp_directory_path(error) : parent;
  if (error) return core::fail(core::ErrorCode::io_error, "no temporary folder for spilling: {}", error.message());
  fs::create_directories(base, error);
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path folder = base / fmt::format("cryptolake-{}-{}-{}", purpose, ::getpid(), counter++);
    if (fs::create_directory(folder, error)) return DaySpillFiles(std::move(folder));
    if (error) break;
  }
  return core::fail(core::ErrorCode::io_error, "cannot create a spill folder under {}: {}", base.string(),
                    error ? error.message() : "names taken");
}

DaySpillFiles::DaySpillFiles(DaySpillFiles&& other) noexcept
    : folder_(std::exchange(other.folder_, {})), rows_by_day_(std::move(other.rows_by_day_)) {}

DaySpillFiles::~DaySpillFiles() {
  if (folder_.empty()) return;
  std::error_code ignored;
  fs::remove_all(folder_, ignored);
}

fs::path DaySpillFiles::file(size_t writer, int64_t day) const { return folder_ / fmt::format("{}-{}.rows", writer, day); }

core::Status DaySpillFiles::append(size_t writer, int64_t day, std::string_view bytes, size_t rows) {
  const fs::path path = file(writer, day);
  const std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(path.c_str(), "ab"), &std::fclose);
  if (!out || std::fwrite(bytes.data(), 1, bytes.size(), out.get()) != bytes.size() || std::fflush(out.get()) != 0) {
    return core::fail(core::ErrorCode::io_error, "cannot spill to {} (disk full?)", path.string());
  }
  std::lock_guard lock(mutex_);
  rows_by_day_[day] += rows;
  return {};
}

core::Status DaySpillFiles::read(size_t writer, int64_t day, std::string& out) const {
  const size_t bytes = size(writer, day);
  if (bytes == 0) return {};  // this writer spilled nothing of the day
  const size_t first = out.size();
  out.resize(first + bytes);
  return read_into(writer, day, {out.data() + first, bytes});
}

size_t DaySpillFiles::size(size_t writer, int64_t day) const {
  std::error_code error;
  const auto size = fs::file_size(file(writer, day), error);
  return error ? 0 : static_cast<size_t>(size);  // no file: this writer spilled nothing of the day
}

core::Status DaySpillFiles::read_into(size_t writer, int64_t day, std::span<char> out) const {
  const fs::path path = file(writer, day);
  const std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!in || std::fread(out.data(), 1, out.size(), in.get()) != out.size() || std::fgetc(in.get()) != EOF) {
    return core::fail(core::ErrorCode::io_error, "cannot read back the spill file {} ({} bytes expected)", path.string(), out.size());
  }
  return {};
}

std::map<int64_t, size_t> DaySpillFiles::rows_by_day() const {
  std::lock_guard lock(mutex_);
  return rows_by_day_;
}

bool DaySpillFiles::empty() const {
  std::lock_guard lock(mutex_);
  return rows_by_day_.empty();
}

}  // namespace cryptolake::lake
