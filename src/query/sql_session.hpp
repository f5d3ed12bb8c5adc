// SQL over the lake: an embedded DuckDB where every curated table is a view by its name
// (hive-partitioned Parquet, `dt` as a column). Results come back as text cells plus a flag
// telling numbers from strings, ready to print as a table, CSV or JSON.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::query {

struct ResultTable {
  bool truncated = false;  // more rows than the limit asked for
  std::vector<std::string> columns;
  std::vector<bool> numeric;  // per column: print unquoted, align right
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// Owns a DuckDB connection with the views. Not thread-safe.
class SqlSession {
 public:
  // Creates one view per curated table that has at least one partition (the catalog's DuckDB
  // DDL). Read-only sessions accept only SELECT and EXPLAIN, and lock file access to the lake.
  [[nodiscard]] static core::Result<std::unique_ptr<SqlSession>> open(const lake::ObjectStore& store,
                                                                     lake::DuckDb& duckdb, bool read_only = true);

  // Another session on a database `open` prepared (views made, settings locked): cheap, one per
  // request or thread.
  [[nodiscard]] static core::Result<std::unique_ptr<SqlSession>> attach(lake::DuckDb& duckdb,
                                                                       std::vector<std::string> tables);

  struct Limits {
    size_t max_rows = SIZE_MAX;    // more rows: ResultTable::truncated
    int64_t timeout_ms = 0;        // 0: none; else the query is interrupted and fails
  };
  [[nodiscard]] core::Result<ResultTable> run(std::string_view sql);
  [[nodiscard]] core::Result<ResultTable> run(std::string_view sql, const Limits& limits);
  const std::vector<std::string>& tables() const { return tables_; }

 private:
  explicit SqlSession(lake::DuckConnection connection) : connection_(std::move(connection)) {}

  lake::DuckConnection connection_;
  std::vector<std::string> tables_;
  bool read_only_ = true;
};

}  // namespace cryptolake::query
