// Embedded DuckDB, set up to run offline and inside the lake: no extension auto-install, the
// extension, secret and temp directories under <lake>/_catalog/duckdb, nothing written to $HOME.
// The only place (with query/) that sees DuckDB's C API; its errors become core::Error here.
#pragma once

#include <duckdb.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace cryptolake::lake {

// A materialised query result. Owns the duckdb_result. Not thread-safe.
class QueryResult {
 public:
  explicit QueryResult(duckdb_result result) : result_(result) {}
  QueryResult(QueryResult&& other) noexcept;
  QueryResult& operator=(QueryResult&&) = delete;
  ~QueryResult();

  size_t column_count();
  size_t row_count();
  std::string column_name(size_t col);
  duckdb_type column_type(size_t col);
  bool is_null(size_t col, size_t row);
  // Any value rendered as text, as DuckDB casts it to VARCHAR.
  std::string text(size_t col, size_t row);
  int64_t int64(size_t col, size_t row);
  double float64(size_t col, size_t row);
  // Chunk-wise access for bulk reads; returns nullptr when exhausted. Caller destroys the chunk.
  duckdb_data_chunk fetch_chunk();

 private:
  duckdb_result result_;
  bool moved_ = false;
};

// One statement, parsed and bound against the catalog as it was when prepared; nothing has run.
class PreparedStatement {
 public:
  explicit PreparedStatement(duckdb_prepared_statement statement) : statement_(statement) {}
  PreparedStatement(PreparedStatement&& other) noexcept : statement_(std::exchange(other.statement_, nullptr)) {}
  PreparedStatement& operator=(PreparedStatement&&) = delete;
  ~PreparedStatement();

  duckdb_statement_type type() const;
  size_t column_count() const;
  std::string column_name(size_t col) const;
  duckdb_type column_type(size_t col) const;
  // Runs it with a streaming result: rows are computed as fetch_chunk() asks for them, so a
  // caller that stops early never pays for the rest.
  [[nodiscard]] core::Result<QueryResult> stream();
  // Runs it and materialises the whole result.
  [[nodiscard]] core::Result<QueryResult> run();

 private:
  duckdb_prepared_statement statement_;
};

// The statements of a text as DuckDB's own parser splits it. Owns duckdb_extracted_statements.
class StatementList {
 public:
  StatementList(duckdb_connection connection, duckdb_extracted_statements extracted, size_t count)
      : connection_(connection), extracted_(extracted), count_(count) {}
  StatementList(StatementList&& other) noexcept
      : connection_(other.connection_), extracted_(std::exchange(other.extracted_, nullptr)), count_(other.count_) {}
  StatementList& operator=(StatementList&&) = delete;
  ~StatementList();

  size_t size() const { return count_; }
  // Binds the i-th statement against the catalog as it is now (after the ones before it ran).
  [[nodiscard]] core::Result<PreparedStatement> prepare(size_t i);

 private:
  duckdb_connection connection_;
  duckdb_extracted_statements extracted_;
  size_t count_;
};

// One connection; each thread uses its own. Owns the duckdb_connection.
class DuckConnection {
 public:
  explicit DuckConnection(duckdb_connection connection) : connection_(connection) {}
  DuckConnection(DuckConnection&& other) noexcept : connection_(std::exchange(other.connection_, nullptr)) {}
  DuckConnection& operator=(DuckConnection&&) = delete;
  ~DuckConnection();

  [[nodiscard]] core::Status execute(std::string_view sql);
  [[nodiscard]] core::Result<QueryResult> query(std::string_view sql);
  // Splits `sql` into statements without binding or running any; fails on a syntax error.
  [[nodiscard]] core::Result<StatementList> extract(std::string_view sql);
  duckdb_connection handle() const { return connection_; }

 private:
  duckdb_connection connection_;
};

// An in-memory database whose engine settings keep it offline. Thread-safe: connect() from any thread.
class DuckDb {
 public:
  struct Options {
    std::filesystem::path lake_root;  // where _catalog/duckdb lives
    int threads = 2;
    std::string memory_limit = "4GB";
    // DuckDB's own cache of the file bytes it reads (enable_external_file_cache). Off for the
    // batch writer, whose queries read each local partition once: the cache held ~100 MB more
    // through a 600-day hourly aggregate, of files the OS caches anyway.
    bool cache_file_reads = true;
  };
  [[nodiscard]] static core::Result<std::unique_ptr<DuckDb>> open(const Options& options);
  ~DuckDb();
  DuckDb(const DuckDb&) = delete;
  DuckDb& operator=(const DuckDb&) = delete;

  [[nodiscard]] core::Result<DuckConnection> connect();

  // The instance that writes batches held in memory (lake/batch_scan) to Parquet: DuckDB with no
  // worker thread of its own (threads = 1), opened on first use, closed with this one. Batch
  // writers fan out a COPY per caller thread; this instance's own workers would only contend with
  // them for the cores (bench etl: its writing took a fifth longer).
  [[nodiscard]] core::Result<DuckDb*> batch_writer();

  // DuckDB plans a view's body into a prepared statement, so a kept plan does not see the view
  // replaced. Whoever replaces views that sessions keep plans over (serve's in-memory tables)
  // says so here; sessions plan again when the generation moved.
  void views_changed() { ++views_generation_; }
  uint64_t views_generation() const { return views_generation_.load(); }

 private:
  DuckDb(duckdb_database db, std::filesystem::path home, Options options)
      : db_(db), home_(std::move(home)), options_(std::move(options)) {}
  [[nodiscard]] static core::Result<std::unique_ptr<DuckDb>> open(const Options& options, std::string_view temp_folder);
  duckdb_database db_;
  std::filesystem::path home_;
  Options options_;
  std::atomic<uint64_t> views_generation_{0};
  std::mutex batch_writer_mutex_;
  std::unique_ptr<DuckDb> batch_writer_;
};

// The text of row `row` of a VARCHAR vector, as a view into the chunk that holds it.
inline std::string_view string_cell(duckdb_vector vector, size_t row) {
  auto* strings = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector));
  return {duckdb_string_t_data(&strings[row]), duckdb_string_t_length(strings[row])};
}

// A DOUBLE as DuckDB's CAST(… AS VARCHAR) writes it: the shortest text that reads back to the same
// value, ".0" after a whole number, "nan", "inf", "-inf".
std::string double_text(double value);

// Quotes a SQL string literal ('it''s') and an identifier ("x").
std::string sql_string(std::string_view text);
std::string sql_identifier(std::string_view name);

}  // namespace cryptolake::lake
