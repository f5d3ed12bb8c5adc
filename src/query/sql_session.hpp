// SQL over the lake: an embedded DuckDB where every curated table is a view by its name
// (hive-partitioned Parquet, `dt` as a column). Results come back as text cells plus a flag
// telling numbers from strings, ready to print as a table, CSV or JSON.
//
// User SQL is hostile. Two walls keep the lake safe:
//  1. Statement checks with DuckDB's own parser: read-only sessions take exactly one statement,
//     a SELECT or an EXPLAIN of a SELECT (never EXPLAIN ANALYZE, which runs what it explains).
//  2. The database is locked before any user SQL runs: file access only inside the lake, no
//     extension install or load, no persistent secrets, a memory limit, configuration locked.
// Answers are bounded in rows, bytes and time; a cut answer says so (ResultTable::truncated).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::query {

struct ResultTable {
  bool truncated = false;  // rows or bytes were cut at the limit
  std::vector<std::string> columns;
  std::vector<bool> numeric;  // per column: print unquoted, align right
  std::vector<std::vector<std::optional<std::string>>> rows;
};

enum class Access {
  read_only,       // one SELECT, or EXPLAIN of a SELECT
  session_writes,  // also CREATE/INSERT/UPDATE/DELETE/DROP/ALTER of in-memory objects, several statements;
                   // never COPY, EXPORT, ATTACH, INSTALL, LOAD, SET, PRAGMA: nothing reaches a file
};

struct SessionSettings {
  std::string memory_limit = "1GB";  // for every query of the database the session locks
};

// How a column of a streamed answer becomes text: numbers of the common types come as they are
// and are written as DuckDB's cast would write them (that cast cost as much as the query itself);
// every other type is cast to VARCHAR by DuckDB.
enum class CellSource : uint8_t { text, float64, int64, int32, int16, int8 };

// Owns a DuckDB connection with the views. Not thread-safe.
class SqlSession {
 public:
  // Creates one view per curated table that has at least one partition (the catalog's DuckDB
  // DDL), then locks the database (see above). A database locked before keeps its settings.
  [[nodiscard]] static core::Result<std::unique_ptr<SqlSession>> open(const lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                                     Access access = Access::read_only,
                                                                     const SessionSettings& settings = {});

  // Another read-only session on a database `open` prepared (views made, settings locked):
  // cheap, one per thread; kept between requests, it answers a text it has seen without
  // parsing or planning it again.
  [[nodiscard]] static core::Result<std::unique_ptr<SqlSession>> attach(lake::DuckDb& duckdb,
                                                                       std::vector<std::string> tables);
  // Whether the session may serve another request (not one the watchdog interrupted: the
  // interrupt could stop its next query).
  bool reusable() const { return !interrupted_; }

  struct Limits {
    size_t max_rows = SIZE_MAX;   // more rows: ResultTable::truncated
    size_t max_bytes = SIZE_MAX;  // more text in the cells: ResultTable::truncated
    int64_t timeout_ms = 0;       // 0: none; else the query is interrupted and fails
  };
  [[nodiscard]] core::Result<ResultTable> run(std::string_view sql);
  [[nodiscard]] core::Result<ResultTable> run(std::string_view sql, const Limits& limits);
  const std::vector<std::string>& tables() const { return tables_; }

 private:
  // A checked SELECT, prepared with its cells cast to text, kept by its text: the same text asked
  // again (the API's and the dashboard's queries are) is neither parsed nor planned again. DuckDB
  // does not plan it again when a view it reads is replaced: all are dropped when the database's
  // views_generation() moves.
  struct PreparedAnswer {
    lake::PreparedStatement statement;
    std::vector<std::string> columns;
    std::vector<bool> numeric;
    std::vector<CellSource> cells;
  };
  static constexpr size_t kMaxPreparedAnswers = 64;

  SqlSession(lake::DuckDb& duckdb, lake::DuckConnection connection, Access access)
      : duckdb_(duckdb), connection_(std::move(connection)), access_(access) {}
  core::Result<ResultTable> run_checked(std::string_view sql, const Limits& limits);
  // Checks and runs one statement, streaming when it can.
  core::Result<ResultTable> answer(std::string_view sql, const Limits& limits);
  core::Result<ResultTable> stream(PreparedAnswer& prepared, const Limits& limits);

  lake::DuckDb& duckdb_;
  lake::DuckConnection connection_;
  Access access_;
  std::vector<std::string> tables_;
  bool interrupted_ = false;
  uint64_t views_generation_ = 0;  // the database's when the answers below were prepared
  std::map<std::string, std::unique_ptr<PreparedAnswer>, std::less<>> prepared_;  // read-only sessions only
  std::deque<std::string> prepared_order_;  // oldest first: the first to go past the limit
};

// Appends one row of an answer unless it would pass a limit (then false: the answer is cut
// before it). `bytes` is what the answer's cells came to so far, about as JSON.
bool append_row(ResultTable& table, std::vector<std::optional<std::string>> row, const SqlSession::Limits& limits, size_t& bytes);

// The statement an EXPLAIN explains ("EXPLAIN SELECT 1" → "SELECT 1"); nullopt when the text
// is not a plain EXPLAIN (EXPLAIN ANALYZE, EXPLAIN (options) …). Comments are skipped as DuckDB does.
std::optional<std::string_view> explained_statement(std::string_view sql);

}  // namespace cryptolake::query
