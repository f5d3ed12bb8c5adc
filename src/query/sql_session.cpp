#include "query/sql_session.hpp"

#include <cctype>
#include <optional>
#include <set>

#include <fmt/format.h>

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

}  // namespace

core::Result<std::unique_ptr<SqlSession>> SqlSession::open(const lake::ObjectStore& store, lake::DuckDb& duckdb) {
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  std::unique_ptr<SqlSession> session(new SqlSession(std::move(connection)));
  TRY_ASSIGN(const std::vector<std::string> keys, store.list("curated/"));
  std::set<std::string> tables;
  for (const std::string& key : keys) {
    // curated/<table>/dt=…/part-n.parquet
    const size_t slash = key.find('/', 8);
    if (slash != std::string::npos && key.ends_with(".parquet") && key.find("/dt=", slash) == slash) {
      tables.insert(key.substr(8, slash - 8));
    }
  }
  for (const std::string& table : tables) {
    const auto root = store.local_path(fmt::format("curated/{}", table));
    if (!root) return core::fail(core::ErrorCode::unavailable, "sql needs a local lake");
    TRY(session->connection_.execute(fmt::format(
        "CREATE OR REPLACE VIEW {} AS SELECT * FROM read_parquet({}, hive_partitioning = true, hive_types = {{'dt': VARCHAR}})",
        lake::sql_identifier(table), lake::sql_string((*root / "dt=*" / "*.parquet").string()))));
    session->tables_.push_back(table);
  }
  return session;
}

core::Result<ResultTable> SqlSession::run(std::string_view sql) {
  TRY_ASSIGN(lake::QueryResult first, connection_.query(sql));
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
  const size_t rows = result.row_count();
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
