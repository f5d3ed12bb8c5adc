// Rows beyond a transform's memory budget, parked on local disk by day until their day's turn:
// one file per (writer, day) under a private temporary folder, gone when the spill is. Rows are
// fixed-size values written as they are in memory (the same process reads them back).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/result.hpp"

namespace cryptolake::lake {

class DaySpillFiles {
 public:
  // A new, empty folder under `parent` (the system's temporary folder when empty: TMPDIR).
  [[nodiscard]] static core::Result<DaySpillFiles> create(std::string_view purpose, const std::filesystem::path& parent = {});
  DaySpillFiles(DaySpillFiles&& other) noexcept;
  DaySpillFiles& operator=(DaySpillFiles&&) = delete;
  ~DaySpillFiles();

  // Appends bytes holding `rows` rows of `day` to writer `writer`'s file of that day. Writers
  // may append at once; each writer only from one thread.
  [[nodiscard]] core::Status append(size_t writer, int64_t day, std::string_view bytes, size_t rows);
  // Writer `writer`'s bytes of `day`, appended to `out` (nothing when it spilled none).
  [[nodiscard]] core::Status read(size_t writer, int64_t day, std::string& out) const;
  // How many bytes writer `writer` spilled of `day` (0 when none); `read_into` reads them into
  // `out`, which must be exactly that long: no copy through a buffer of its own.
  size_t size(size_t writer, int64_t day) const;
  [[nodiscard]] core::Status read_into(size_t writer, int64_t day, std::span<char> out) const;

  // Rows spilled per day, in day order.
  std::map<int64_t, size_t> rows_by_day() const;
  bool empty() const;
  const std::filesystem::path& folder() const { return folder_; }

 private:
  explicit DaySpillFiles(std::filesystem::path folder) : folder_(std::move(folder)) {}
  std::filesystem::path file(size_t writer, int64_t day) const;

  std::filesystem::path folder_;
  mutable std::mutex mutex_;
  std::map<int64_t, size_t> rows_by_day_;
};

// Typed helpers for rows that are plain values.
template <typename Row>
core::Status spill_rows(DaySpillFiles& spill, size_t writer, int64_t day, std::span<const Row> rows) {
  static_assert(std::is_trivially_copyable_v<Row>);
  return spill.append(writer, day, {reinterpret_cast<const char*>(rows.data()), rows.size_bytes()}, rows.size());
}

// Appends the rows to `out`, read straight into its memory: when `out` has the capacity, nothing
// is allocated (see spilled_row_count).
template <typename Row>
core::Status read_spilled_rows(const DaySpillFiles& spill, size_t writer, int64_t day, std::vector<Row>& out) {
  static_assert(std::is_trivially_copyable_v<Row>);
  const size_t bytes = spill.size(writer, day);
  if (bytes % sizeof(Row) != 0) return core::fail(core::ErrorCode::corrupt_data, "spill file of day {} is torn", day);
  if (bytes == 0) return {};
  const size_t first = out.size();
  out.resize(first + bytes / sizeof(Row));
  return spill.read_into(writer, day, {reinterpret_cast<char*>(out.data() + first), bytes});
}

// How many rows writer `writer` spilled of these days: the capacity to reserve before reading them back.
template <typename Row>
size_t spilled_row_count(const DaySpillFiles& spill, size_t writer, std::span<const int64_t> days) {
  size_t rows = 0;
  for (const int64_t day : days) rows += spill.size(writer, day) / sizeof(Row);
  return rows;
}

}  // namespace cryptolake::lake
