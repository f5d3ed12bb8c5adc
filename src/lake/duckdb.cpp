#include "lake/duckdb.hpp"

#include <cmath>

#include "lake/batch_scan.hpp"
#include "lake/layout.hpp"

#include <fmt/format.h>

namespace cryptolake::lake {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::fail;

std::string double_text(double value) {
  std::string text = fmt::format("{}", value);
  if (std::isfinite(value) && text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

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

namespace {

// DuckDB messages span lines ("Parser Error: …\n\nLINE 1: …" repeating the query): keep the first.
std::string first_line(const char* message, std::string_view fallback) {
  const std::string text = message ? message : std::string(fallback);
  return text.substr(0, text.find('\n'));
}

}  // namespace

core::Result<StatementList> DuckConnection::extract(std::string_view sql) {
  duckdb_extracted_statements extracted = nullptr;
  const std::string text(sql);
  const idx_t count = duckdb_extract_statements(connection_, text.c_str(), &extracted);
  StatementList list(connection_, extracted, count);
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(extracted);
    return fail(ErrorCode::invalid_argument, "{}", first_line(error, "no SQL statement"));
  }
  return list;
}

StatementList::~StatementList() {
  if (extracted_ != nullptr) duckdb_destroy_extracted(&extracted_);
}

core::Result<PreparedStatement> StatementList::prepare(size_t i) {
  duckdb_prepared_statement prepared = nullptr;
  const bool failed = duckdb_prepare_extracted_statement(connection_, extracted_, i, &prepared) == DuckDBError;
  PreparedStatement statement(prepared);
  if (failed) return fail(ErrorCode::invalid_argument, "{}", first_line(duckdb_prepare_error(prepared), "cannot prepare"));
  return statement;
}

PreparedStatement::~PreparedStatement() {
  if (statement_ != nullptr) duckdb_destroy_prepare(&statement_);
}

duckdb_statement_type PreparedStatement::type() const { return duckdb_prepared_statement_type(statement_); }
size_t PreparedStatement::column_count() const { return duckdb_prepared_statement_column_count(statement_); }
std::string PreparedStatement::column_name(size_t col) const {
  const char* name = duckdb_prepared_statement_column_name(statement_, col);
  std::string out = name ? name : "";
  duckdb_free(const_cast<char*>(name));
  return out;
}
duckdb_type PreparedStatement::column_type(size_t col) const { return duckdb_prepared_statement_column_type(statement_, col); }

core::Result<QueryResult> PreparedStatement::stream() {
  duckdb_pending_result pending;
  if (duckdb_pending_prepared_streaming(statement_, &pending) == DuckDBError) {
    std::string message = first_line(duckdb_pending_error(pending), "cannot run");
    duckdb_destroy_pending(&pending);
    return fail(ErrorCode::invalid_argument, "{}", message);
  }
  duckdb_result result;
  const bool failed = duckdb_execute_pending(pending, &result) == DuckDBError;
  duckdb_destroy_pending(&pending);
  if (failed) {
    std::string message = first_line(duckdb_result_error(&result), "unknown DuckDB error");
    duckdb_destroy_result(&result);
    return fail(ErrorCode::invalid_argument, "{}", message);
  }
  return QueryResult(result);
}

core::Result<QueryResult> PreparedStatement::run() {
  duckdb_result result;
  if (duckdb_execute_prepared(statement_, &result) == DuckDBError) {
    std::string message = first_line(duckdb_result_error(&result), "unknown DuckDB error");
    duckdb_destroy_result(&result);
    return fail(ErrorCode::invalid_argument, "{}", message);
  }
  return QueryResult(result);
}

core::Result<std::unique_ptr<DuckDb>> DuckDb::open(const Options& options) { return open(options, "tmp"); }

core::Result<DuckDb*> DuckDb::batch_writer() {
  std::lock_guard lock(batch_writer_mutex_);
  if (!batch_writer_) {
    Options single = options_;
    single.threads = 1;
    single.cache_file_reads = false;
    // A folder of its own for spilling: two instances in one process would share temp file names.
    TRY_ASSIGN(batch_writer_, open(single, "tmp-batch-writer"));
  }
  return batch_writer_.get();
}

core::Result<std::unique_ptr<DuckDb>> DuckDb::open(const Options& options, std::string_view temp_folder) {
  const fs::path home = options.lake_root / layout::kDuckdbHome;
  std::error_code ec;
  for (const std::string_view sub : {std::string_view("extensions"), std::string_view("secrets"), temp_folder}) {
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
      {"temp_directory", (home / temp_folder).string()},
      {"threads", std::to_string(options.threads)},
      {"memory_limit", options.memory_limit},
      {"enable_external_file_cache", options.cache_file_reads ? "true" : "false"},
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
  auto opened = std::unique_ptr<DuckDb>(new DuckDb(db, home, options));
  // The curated writer's scan of rows in memory (lake/batch_scan), known to every connection.
  TRY_ASSIGN(DuckConnection connection, opened->connect());
  TRY(register_batch_scan(connection.handle()));
  return opened;
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
