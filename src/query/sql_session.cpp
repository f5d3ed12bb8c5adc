#include "query/sql_session.hpp"

#include <cctype>
#include <optional>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "catalog/ddl_export.hpp"
#include "lake/partition_commit.hpp"

namespace cryptolake::query {

namespace {

bool is_numeric(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_TINYINT: case DUCKDB_TYPE_SMALLINT: case DUCKDB_TYPE_INTEGER: case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT: case DUCKDB_TYPE_USMALLINT: case DUCKDB_TYPE_UINTEGER: case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT: case DUCKDB_TYPE_UHUGEINT: case DUCKDB_TYPE_FLOAT: case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL: return true;
    default: return false;
  }
}

// Types the C API's text accessor cannot render (without ICU, or at all): DuckDB casts them.
bool needs_cast(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_TIMESTAMP_TZ: case DUCKDB_TYPE_TIME_TZ: case DUCKDB_TYPE_LIST: case DUCKDB_TYPE_ARRAY:
    case DUCKDB_TYPE_STRUCT: case DUCKDB_TYPE_MAP: case DUCKDB_TYPE_UNION: case DUCKDB_TYPE_ENUM: return true;
    default: return false;
  }
}

// The DDL text holds one statement per line.
std::vector<std::string> split_statements(const std::string& text) {
  std::vector<std::string> statements;
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end - pos);
    if (!line.empty()) statements.push_back(std::move(line));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return statements;
}

}  // namespace

core::Result<std::unique_ptr<SqlSession>> SqlSession::open(const lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                          bool read_only) {
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  std::unique_ptr<SqlSession> session(new SqlSession(std::move(connection)));
  session->read_only_ = read_only;
  TRY_ASSIGN(const std::vector<std::string> keys, store.list("curated/"));
  std::set<std::string> names;
  for (const std::string& key : keys) {
    if (auto where = lake::parse_curated_key(key)) names.insert(where->table);
  }
  std::vector<catalog::TableInfo> tables;
  for (const std::string& name : names) {
    tables.push_back({name, "", {catalog::SchemaVersion{}}, {}, {}});
    session->tables_.push_back(name);
  }
  const auto root = store.local_path("");
  if (!root) return core::fail(core::ErrorCode::unavailable, "sql needs a local lake");
  const std::string lake_root = root->lexically_normal().string();
  for (const std::string& statement : split_statements(catalog::ddl(catalog::Engine::duckdb, tables, lake_root))) {
    TRY(session->connection_.execute(statement));
  }
  if (read_only) {
    // Files outside the lake stay out of reach (read_csv('/etc/passwd') and the like), and the
    // settings cannot be changed back from SQL. A database locked before keeps its lock.
    TRY_ASSIGN(lake::QueryResult locked, session->connection_.query("SELECT current_setting('lock_configuration')"));
    if (locked.text(0, 0) != "true") {
      TRY(session->connection_.execute(fmt::format("SET allowed_directories = [{}]", lake::sql_string(lake_root + "/"))));
      TRY(session->connection_.execute("SET enable_external_access = false"));
      TRY(session->connection_.execute("SET lock_configuration = true"));
    }
  }
  return session;
}

core::Result<std::unique_ptr<SqlSession>> SqlSession::attach(lake::DuckDb& duckdb, std::vector<std::string> tables) {
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  std::unique_ptr<SqlSession> session(new SqlSession(std::move(connection)));
  session->tables_ = std::move(tables);
  return session;
}

core::Result<ResultTable> SqlSession::run(std::string_view sql) { return run(sql, Limits{}); }

core::Result<ResultTable> SqlSession::run(std::string_view sql, const Limits& limits) {
  // A watchdog interrupts a query that runs past its time.
  std::jthread watchdog;
  if (limits.timeout_ms > 0) {
    watchdog = std::jthread([this, ms = limits.timeout_ms](std::stop_token stop) {
      std::mutex m;
      std::condition_variable_any cv;
      std::unique_lock lock(m);
      if (!cv.wait_for(lock, stop, std::chrono::milliseconds(ms), [] { return false; }) && !stop.stop_requested()) {
        duckdb_interrupt(connection_.handle());
      }
    });
  }
  if (read_only_) {
    TRY_ASSIGN(const auto types, connection_.statement_types(sql));
    for (const duckdb_statement_type type : types) {
      if (type != DUCKDB_STATEMENT_TYPE_SELECT && type != DUCKDB_STATEMENT_TYPE_EXPLAIN) {
        return core::fail(core::ErrorCode::invalid_argument,
                          "read-only: only SELECT and EXPLAIN statements are allowed (use --write to change things)");
      }
    }
  }
  std::string text(sql);
  while (!text.empty() && (text.back() == ';' || std::isspace(static_cast<unsigned char>(text.back())))) text.pop_back();
  if (limits.max_rows != SIZE_MAX) {
    // One row more than allowed tells that the result was cut.
    if (auto wrapped = connection_.statement_types(text); wrapped && wrapped->size() == 1 && wrapped->front() == DUCKDB_STATEMENT_TYPE_SELECT) {
      text = fmt::format("SELECT * FROM ({}) AS limited LIMIT {}", text, limits.max_rows + 1);
    }
  }
  auto attempted = connection_.query(text);
  if (!attempted && attempted.error().message.find("Interrupt") != std::string::npos) {
    return core::fail(core::ErrorCode::timed_out, "the query ran longer than {} ms and was stopped", limits.timeout_ms);
  }
  TRY_ASSIGN(lake::QueryResult first, std::move(attempted));
  sql = text;
  ResultTable table;
  const size_t columns = first.column_count();
  std::string casts;
  bool any_cast = false;
  for (size_t c = 0; c < columns; ++c) {
    table.columns.push_back(first.column_name(c));
    table.numeric.push_back(is_numeric(first.column_type(c)));
    any_cast = any_cast || needs_cast(first.column_type(c));
    casts += fmt::format("{}CAST(#{} AS VARCHAR) AS {}", c ? ", " : "", c + 1, lake::sql_identifier(table.columns.back()));
  }
  // Re-run a query whose columns need DuckDB's own rendering, cast to text column by column.
  // Statements that cannot be wrapped (PRAGMA, SHOW…) keep the first result.
  std::optional<lake::QueryResult> cast_result;
  if (any_cast) {
    std::string inner(sql);
    while (!inner.empty() && (inner.back() == ';' || std::isspace(static_cast<unsigned char>(inner.back())))) inner.pop_back();
    if (auto wrapped = connection_.query(fmt::format("SELECT {} FROM ({}) AS q", casts, inner))) {
      cast_result.emplace(std::move(*wrapped));
    }
  }
  lake::QueryResult& result = cast_result ? *cast_result : first;
  size_t rows = result.row_count();
  if (rows > limits.max_rows) {
    rows = limits.max_rows;
    table.truncated = true;
  }
  table.rows.reserve(rows);
  for (size_t r = 0; r < rows; ++r) {
    auto& row = table.rows.emplace_back();
    for (size_t c = 0; c < columns; ++c) {
      if (result.is_null(c, r)) row.emplace_back(std::nullopt);
      else row.emplace_back(result.text(c, r));
    }
  }
  return table;
}

}  // namespace cryptolake::query
