#include "lake/duckdb.hpp"

#include <fmt/format.h>

namespace cryptolake::lake {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::fail;

std::string sql_string(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string sql_identifier(std::string_view name) {
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

QueryResult::QueryResult(QueryResult&& other) noexcept : result_(other.result_) { other.moved_ = true; }

QueryResult::~QueryResult() {
  if (!moved_) duckdb_destroy_result(&result_);
}

size_t QueryResult::column_count() { return duckdb_column_count(&result_); }
size_t QueryResult::row_count() { return duckdb_row_count(&result_); }
std::string QueryResult::column_name(size_t col) { return duckdb_column_name(&result_, col); }
duckdb_type QueryResult::column_type(size_t col) { return duckdb_column_type(&result_, col); }
bool QueryResult::is_null(size_t col, size_t row) { return duckdb_value_is_null(&result_, col, row); }
int64_t QueryResult::int64(size_t col, size_t row) { return duckdb_value_int64(&result_, col, row); }
double QueryResult::float64(size_t col, size_t row) { return duckdb_value_double(&result_, col, row); }
duckdb_data_chunk QueryResult::fetch_chunk() { return duckdb_fetch_chunk(result_); }

std::string QueryResult::text(size_t col, size_t row) {
  char* value = duckdb_value_varchar(&result_, col, row);
  if (value == nullptr) return {};
  std::string out(value);
  duckdb_free(value);
  return out;
}

DuckConnection::~DuckConnection() {
  if (connection_ != nullptr) duckdb_disconnect(&connection_);
}

core::Status DuckConnection::execute(std::string_view sql) {
  TRY_ASSIGN(QueryResult ignored, query(sql));
  return {};
}

core::Result<QueryResult> DuckConnection::query(std::string_view sql) {
  duckdb_result result;
  const std::string text(sql);
  if (duckdb_query(connection_, text.c_str(), &result) == DuckDBError) {
    std::string message = duckdb_result_error(&result) ? duckdb_result_error(&result) : "unknown DuckDB error";
    duckdb_destroy_result(&result);
    message = message.substr(0, message.find('\n'));  // the rest repeats the query around the error
    return fail(ErrorCode::invalid_argument, "{}", message);
  }
  return QueryResult(result);
}

core::Result<std::vector<duckdb_statement_type>> DuckConnection::statement_types(std::string_view sql) {
  duckdb_extracted_statements extracted = nullptr;
  const std::string text(sql);
  const idx_t count = duckdb_extract_statements(connection_, text.c_str(), &extracted);
  std::vector<duckdb_statement_type> types;
  core::Status status;
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(extracted);
    status = fail(ErrorCode::invalid_argument, "{}", error ? std::string(error).substr(0, std::string(error).find('\n')) : "no statement");
  }
  for (idx_t i = 0; i < count && status; ++i) {
    duckdb_prepared_statement prepared = nullptr;
    if (duckdb_prepare_extracted_statement(connection_, extracted, i, &prepared) == DuckDBError) {
      const std::string error = duckdb_prepare_error(prepared) ? duckdb_prepare_error(prepared) : "cannot prepare";
      status = fail(ErrorCode::invalid_argument, "{}", error.substr(0, error.find('\n')));
    } else {
      types.push_back(duckdb_prepared_statement_type(prepared));
    }
    duckdb_destroy_prepare(&prepared);
  }
  duckdb_destroy_extracted(&extracted);
  if (!status) return std::unexpected(status.error());
  return types;
}

core::Result<std::unique_ptr<DuckDb>> DuckDb::open(const Options& options) {
  const fs::path home = options.lake_root / "_catalog" / "duckdb";
  std::error_code ec;
  for (const char* sub : {"extensions", "secrets", "tmp"}) {
    fs::create_directories(home / sub, ec);
    if (ec) return fail(ErrorCode::io_error, "cannot create {}: {}", (home / sub).string(), ec.message());
  }
  duckdb_config config;
  if (duckdb_create_config(&config) == DuckDBError) return fail(ErrorCode::unavailable, "duckdb: cannot create config");
  const std::vector<std::pair<std::string, std::string>> settings = {
      {"autoinstall_known_extensions", "false"},
      {"autoload_known_extensions", "true"},  // parquet, json, icu are built in: loading needs no network
      {"extension_directory", (home / "extensions").string()},
      {"secret_directory", (home / "secrets").string()},
      {"temp_directory", (home / "tmp").string()},
      {"threads", std::to_string(options.threads)},
      {"memory_limit", options.memory_limit},
  };
  for (const auto& [name, value] : settings) {
    if (duckdb_set_config(config, name.c_str(), value.c_str()) == DuckDBError) {
      duckdb_destroy_config(&config);
      return fail(ErrorCode::invalid_argument, "duckdb: cannot set {}={}", name, value);
    }
  }
  duckdb_database db;
  char* error = nullptr;
  const bool failed = duckdb_open_ext(nullptr, &db, config, &error) == DuckDBError;
  duckdb_destroy_config(&config);
  if (failed) {
    std::string message = error ? error : "unknown error";
    duckdb_free(error);
    return fail(ErrorCode::unavailable, "duckdb: cannot open: {}", message);
  }
  return std::unique_ptr<DuckDb>(new DuckDb(db, home));
}

DuckDb::~DuckDb() { duckdb_close(&db_); }

core::Result<DuckConnection> DuckDb::connect() {
  duckdb_connection connection;
  if (duckdb_connect(db_, &connection) == DuckDBError) return fail(ErrorCode::unavailable, "duckdb: cannot connect");
  DuckConnection opened(connection);
  // home_directory is per connection and cannot be given at open time; without it DuckDB would
  // fall back to $HOME.
  // A database whose configuration a read-only SQL session has locked keeps the setting it had.
  (void)opened.execute(fmt::format("SET home_directory = {}", sql_string(home_.string())));
  return opened;
}

}  // namespace cryptolake::lake
