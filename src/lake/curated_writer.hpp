// Writes curated partitions as zstd Parquet through DuckDB: the rows, in the order the caller
// sorted them, are copied from memory to one file per partition, and published atomically. Same input,
// same bytes: one file per partition, fixed row-group size, insertion order preserved.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::lake {

// boolean travels as an int64 (0/1) and is written as BOOLEAN.
enum class ColumnType { varchar, bigint, float64, timestamp_tz, varchar_list, boolean };

struct ColumnSpec {
  std::string name;
  ColumnType type;
};

// Rows of one partition, column by column. A varchar_list cell holds its items joined by
// core::kListSeparator. Not thread-safe.
class ColumnBatch {
 public:
  explicit ColumnBatch(std::vector<ColumnSpec> schema);

  const std::vector<ColumnSpec>& schema() const { return schema_; }
  size_t rows() const { return rows_; }
  void reserve(size_t rows);

  // Appending: call one setter per column, in schema order, then end_row().
  void add(int64_t value) { ints_[cursor()].push_back(value); }
  void add(double value) { doubles_[cursor()].push_back(value); }
  void add(std::string_view value) { strings_[cursor()].emplace_back(value); }
  void add_null();
  void end_row();

  int64_t int_at(size_t col, size_t row) const { return ints_[col][row]; }
  double double_at(size_t col, size_t row) const { return doubles_[col][row]; }
  const std::string& string_at(size_t col, size_t row) const { return strings_[col][row]; }
  bool is_null(size_t col, size_t row) const { return !nulls_[col].empty() && nulls_[col][row]; }
  bool has_nulls(size_t col) const { return !nulls_[col].empty(); }

 private:
  size_t cursor();

  std::vector<ColumnSpec> schema_;
  std::vector<std::vector<int64_t>> ints_;
  std::vector<std::vector<double>> doubles_;
  std::vector<std::vector<std::string>> strings_;
  std::vector<std::vector<bool>> nulls_;  // empty: no nulls yet in that column
  size_t column_ = 0;
  size_t rows_ = 0;
};

struct PartitionWritten {
  std::string table;
  std::string dt;
  size_t rows = 0;
};

// Borrows a connection (one writer per thread) and the store. Not thread-safe.
class CuratedWriter {
 public:
  CuratedWriter(DuckConnection& connection, ObjectStore& store) : connection_(connection), store_(store) {}

  // Replaces partition dt of `table` with the rows of `batch`, in their order.
  [[nodiscard]] core::Result<PartitionWritten> write(std::string_view table, std::string_view dt,
                                                     const ColumnBatch& batch);
  // Replaces partition dt of `table` with the result of a query (which must fix its row order).
  [[nodiscard]] core::Result<PartitionWritten> write_query(std::string_view table, std::string_view dt,
                                                           std::string_view select_sql);

 private:
  DuckConnection& connection_;
  ObjectStore& store_;
};

// The COPY options of every curated file.
inline constexpr std::string_view kParquetOptions = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880";

}  // namespace cryptolake::lake
