#include "lake/curated_writer.hpp"

#include <memory>

#include <fmt/format.h>

#include "lake/batch_scan.hpp"
#include "lake/partition_commit.hpp"

namespace cryptolake::lake {

using core::ErrorCode;
using core::fail;

namespace {

bool is_int_column(ColumnType t) { return t == ColumnType::bigint || t == ColumnType::timestamp_tz || t == ColumnType::boolean; }
bool is_string_column(ColumnType t) { return t == ColumnType::varchar || t == ColumnType::varchar_list; }

}  // namespace

ColumnBatch::ColumnBatch(std::vector<ColumnSpec> schema)
    : schema_(std::move(schema)),
      ints_(schema_.size()),
      doubles_(schema_.size()),
      strings_(schema_.size()),
      nulls_(schema_.size()) {}

void ColumnBatch::reserve(size_t rows) {
  for (size_t c = 0; c < schema_.size(); ++c) {
    if (is_int_column(schema_[c].type)) ints_[c].reserve(rows);
    else if (is_string_column(schema_[c].type)) strings_[c].reserve(rows);
    else doubles_[c].reserve(rows);
  }
}

size_t ColumnBatch::cursor() {
  if (column_ >= schema_.size()) throw std::logic_error("ColumnBatch: more values than columns in a row");
  return column_++;
}

void ColumnBatch::add_null() {
  const size_t c = cursor();
  if (nulls_[c].empty()) nulls_[c].assign(rows_, false);
  nulls_[c].resize(rows_);
  nulls_[c].push_back(true);
  if (is_int_column(schema_[c].type)) ints_[c].push_back(0);
  else if (is_string_column(schema_[c].type)) strings_[c].emplace_back();
  else doubles_[c].push_back(0);
}

void ColumnBatch::end_row() {
  if (column_ != schema_.size()) throw std::logic_error("ColumnBatch: row ended before its last column");
  ++rows_;
  column_ = 0;
  for (auto& nulls : nulls_) {
    if (!nulls.empty()) nulls.resize(rows_, false);
  }
}

core::Result<PartitionWritten> CuratedWriter::write(std::string_view table, std::string_view dt,
                                                    const ColumnBatch& batch) {
  const BatchLoan loan(batch);
  return write_query(table, dt, fmt::format("SELECT * FROM {}", loan.table_sql()));
}

core::Result<PartitionWritten> CuratedWriter::write_query(std::string_view table, std::string_view dt,
                                                          std::string_view select_sql) {
  TRY_ASSIGN(PartitionCommit commit, PartitionCommit::open(store_, table, dt));
  const std::string path = commit.file(0);
  TRY_ASSIGN(QueryResult copied,
             connection_.query(fmt::format("COPY ({}) TO {} ({})", select_sql, sql_string(path), kParquetOptions)));
  const auto rows = static_cast<size_t>(copied.int64(0, 0));
  TRY(commit.publish());
  return PartitionWritten{std::string(table), std::string(dt), rows};
}

}  // namespace cryptolake::lake
