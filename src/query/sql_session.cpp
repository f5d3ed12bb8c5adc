#include "query/sql_session.hpp"
#include "query/query_watchdog.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <chrono>
#include <set>

#include <fmt/format.h>

#include "catalog/ddl_export.hpp"
#include "lake/partition_commit.hpp"
#include "lake/layout.hpp"

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

// Skips whitespace and comments (-- to the end of the line; /* */, nested as DuckDB nests them).
size_t skip_blank(std::string_view s, size_t pos) {
  while (pos < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[pos]))) {
      ++pos;
    } else if (s.substr(pos, 2) == "--") {
      pos = s.find('\n', pos);
      if (pos == std::string_view::npos) return s.size();
    } else if (s.substr(pos, 2) == "/*") {
      int depth = 0;
      do {
        if (s.substr(pos, 2) == "/*") ++depth, pos += 2;
        else if (s.substr(pos, 2) == "*/") --depth, pos += 2;
        else ++pos;
      } while (depth > 0 && pos < s.size());
    } else {
      break;
    }
  }
  return pos;
}

std::string_view word_at(std::string_view s, size_t pos) {
  size_t end = pos;
  while (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_')) ++end;
  return s.substr(pos, end - pos);
}

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); });
}

std::string_view without_trailing_semicolons(std::string_view text) {
  while (!text.empty() && (text.back() == ';' || std::isspace(static_cast<unsigned char>(text.back())))) text.remove_suffix(1);
  return text;
}

// Splits a text at the semicolons between statements (not inside strings, quoted names, comments
// or $tag$ strings). Only a cross-check: the caller compares the count with DuckDB's parser and
// has DuckDB parse every piece again.
std::vector<std::string_view> split_sql(std::string_view s) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  for (size_t pos = 0; pos < s.size();) {
    const size_t blank = skip_blank(s, pos);
    if (blank != pos) {
      pos = blank;
      continue;
    }
    const char c = s[pos];
    if (c == '\'' || c == '"') {
      for (++pos; pos < s.size(); ++pos) {
        if (s[pos] == c) {
          if (pos + 1 < s.size() && s[pos + 1] == c) ++pos;  // doubled: an escaped quote
          else break;
        }
      }
      ++pos;
    } else if (c == '$') {
      const size_t close = s.find('$', pos + 1);
      const std::string_view tag = close == std::string_view::npos ? std::string_view() : s.substr(pos, close - pos + 1);
      const bool is_tag = !tag.empty() && std::ranges::all_of(tag.substr(1, tag.size() - 2), [](char t) {
        return std::isalnum(static_cast<unsigned char>(t)) || t == '_';
      });
      if (!is_tag || std::isdigit(static_cast<unsigned char>(tag.size() > 2 ? tag[1] : 'x'))) {
        ++pos;  // $1 parameters and lone dollars
        continue;
      }
      const size_t end = s.find(tag, close + 1);
      pos = end == std::string_view::npos ? s.size() : end + tag.size();
    } else if (c == ';') {
      if (!without_trailing_semicolons(s.substr(start, pos - start)).empty()) pieces.push_back(s.substr(start, pos - start));
      start = ++pos;
    } else {
      ++pos;
    }
  }
  if (skip_blank(s, start) < s.size()) pieces.push_back(s.substr(start));
  return pieces;
}


std::string to_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::unexpected<core::Error> refuse(std::string_view what) {
  return core::fail(core::ErrorCode::invalid_argument, "refused: {}", what);
}

// Whether a session with `access` may run a statement of this type (EXPLAIN is checked apart).
bool allowed(duckdb_statement_type type, Access access) {
  switch (type) {
    case DUCKDB_STATEMENT_TYPE_SELECT: return true;
    case DUCKDB_STATEMENT_TYPE_CREATE: case DUCKDB_STATEMENT_TYPE_INSERT: case DUCKDB_STATEMENT_TYPE_UPDATE:
    case DUCKDB_STATEMENT_TYPE_DELETE: case DUCKDB_STATEMENT_TYPE_DROP: case DUCKDB_STATEMENT_TYPE_ALTER:
      return access == Access::session_writes;
    default: return false;
  }
}

// A first gate before DuckDB even binds a statement: binding is not always free of effects
// (EXPORT DATABASE creates its folder while being prepared), so only statements that open with a
// keyword of an allowed kind get that far. DuckDB's statement type stays the authority after.
// PRAGMA is refused here too: DuckDB rewrites some PRAGMAs into SELECTs before their type is
// known, and their read-only forms exist as table functions (SELECT * FROM pragma_version()).
core::Status check_opening(std::string_view sql, Access access) {
  static constexpr std::string_view reads[] = {"SELECT", "WITH", "FROM", "VALUES", "TABLE", "EXPLAIN", "DESCRIBE",
                                               "SHOW", "SUMMARIZE", "PIVOT", "UNPIVOT"};
  static constexpr std::string_view writes[] = {"CREATE", "INSERT", "UPDATE", "DELETE", "DROP", "ALTER"};
  const size_t start = skip_blank(sql, 0);
  if (start < sql.size() && sql[start] == '(') return {};  // (SELECT …) UNION …
  const std::string_view first = word_at(sql, start);
  const auto is_first = [&](std::string_view keyword) { return iequals(first, keyword); };
  if (std::ranges::any_of(reads, is_first)) return {};
  if (access == Access::session_writes && std::ranges::any_of(writes, is_first)) return {};
  return refuse(fmt::format("a statement opening with {} is not allowed: {}", first.empty() ? "that" : to_upper(first.substr(0, 20)),
                            access == Access::read_only ? "only SELECT and EXPLAIN <select> are (sql --write allows changes to in-memory objects)"
                                                        : "--write allows SELECT, EXPLAIN, CREATE, INSERT, UPDATE, DELETE, DROP and ALTER of in-memory objects"));
}

CellSource cell_source(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_DOUBLE: return CellSource::float64;
    case DUCKDB_TYPE_BIGINT: return CellSource::int64;
    case DUCKDB_TYPE_INTEGER: return CellSource::int32;
    case DUCKDB_TYPE_SMALLINT: return CellSource::int16;
    case DUCKDB_TYPE_TINYINT: return CellSource::int8;
    default: return CellSource::text;
  }
}

// Whether the wrapped statement's columns have the types its cells are read as.
bool comes_as(const lake::PreparedStatement& wrapped, const std::vector<CellSource>& cells) {
  for (size_t c = 0; c < cells.size(); ++c) {
    const duckdb_type type = wrapped.column_type(c);
    if (cells[c] == CellSource::text ? type != DUCKDB_TYPE_VARCHAR : cell_source(type) != cells[c]) return false;
  }
  return true;
}

// One column of a chunk, looked up once per chunk rather than once per cell.
struct ChunkColumn {
  duckdb_vector vector;
  const void* data;
  uint64_t* validity;  // null: no nulls in the chunk
  CellSource source;

  // The text of a cell that is not null.
  std::string text(size_t row) const {
    switch (source) {
      case CellSource::float64: return lake::double_text(static_cast<const double*>(data)[row]);
      case CellSource::int64: return fmt::format_int(static_cast<const int64_t*>(data)[row]).str();
      case CellSource::int32: return fmt::format_int(static_cast<const int32_t*>(data)[row]).str();
      case CellSource::int16: return fmt::format_int(static_cast<const int16_t*>(data)[row]).str();
      case CellSource::int8: return fmt::format_int(static_cast<const int8_t*>(data)[row]).str();
      case CellSource::text: break;
    }
    return std::string(lake::string_cell(vector, row));
  }
};

// Appends the cells of one chunk (columns as `cells` says); false once a limit is reached.
bool append_chunk(duckdb_data_chunk chunk, const std::vector<CellSource>& cells, const SqlSession::Limits& limits, size_t& bytes,
                  ResultTable& table) {
  const size_t columns = table.columns.size();
  std::vector<ChunkColumn> chunk_columns;
  chunk_columns.reserve(columns);
  for (size_t c = 0; c < columns; ++c) {
    duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, c);
    chunk_columns.push_back({vector, duckdb_vector_get_data(vector), duckdb_vector_get_validity(vector), cells[c]});
  }
  const size_t n = duckdb_data_chunk_get_size(chunk);
  for (size_t r = 0; r < n; ++r) {
    if (table.rows.size() >= limits.max_rows) return false;
    std::vector<std::optional<std::string>> row;
    row.reserve(columns);
    for (size_t c = 0; c < columns; ++c) {
      const ChunkColumn& column = chunk_columns[c];
      if (column.validity != nullptr && !duckdb_validity_row_is_valid(column.validity, r)) row.emplace_back(std::nullopt);
      else row.emplace_back(column.text(r));
    }
    if (!append_row(table, std::move(row), limits, bytes)) return false;
  }
  return true;
}

}  // namespace

bool append_row(ResultTable& table, std::vector<std::optional<std::string>> row, const SqlSession::Limits& limits, size_t& bytes) {
  if (table.rows.size() >= limits.max_rows) return false;
  size_t row_bytes = 0;
  for (size_t c = 0; c < row.size(); ++c) {
    row_bytes += (row[c] ? row[c]->size() : 0) + table.columns[c].size() + 8;  // about what the cell costs as JSON
  }
  if (bytes + row_bytes > limits.max_bytes) return false;
  bytes += row_bytes;
  table.rows.push_back(std::move(row));
  return true;
}

core::Result<std::unique_ptr<SqlSession>> SqlSession::open(const lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                          Access access, const SessionSettings& settings) {
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  std::unique_ptr<SqlSession> session(new SqlSession(duckdb, std::move(connection), access));
  TRY_ASSIGN(const std::vector<std::string> keys, store.list(lake::layout::kCurated));
  std::set<std::string> names;
  for (const std::string& key : keys) {
    if (auto where = lake::layout::parse_curated_key(key)) names.insert(where->table);
  }
  std::vector<catalog::TableInfo> tables;
  for (const std::string& name : names) {
    tables.push_back({name, "", {catalog::SchemaVersion{}}, {}, {}});
    session->tables_.push_back(name);
  }
  std::string lake_root = store.location("");
  while (lake_root.ends_with('/')) lake_root.pop_back();
  TRY_ASSIGN(lake::QueryResult locked, session->connection_.query("SELECT current_setting('lock_configuration')"));
  if (locked.text(0, 0) == "true") return session;  // prepared by an earlier open: views and lock stay
  for (const std::string& statement : split_statements(catalog::ddl(catalog::Engine::duckdb, tables, lake_root))) {
    TRY(session->connection_.execute(statement));
  }
  // Files outside the lake stay out of reach (read_csv('/etc/passwd'), COPY … TO '/tmp/x'), no
  // extension is fetched or loaded, no secret persists, and nothing can be set back from SQL.
  const std::vector<std::string> lockdown = {
      fmt::format("SET allowed_directories = [{}]", lake::sql_string(lake_root + "/")),
      "SET enable_external_access = false",
      "SET autoinstall_known_extensions = false",
      "SET autoload_known_extensions = false",
      "SET allow_community_extensions = false",
      "SET allow_persistent_secrets = false",
      fmt::format("SET memory_limit = {}", lake::sql_string(settings.memory_limit)),
      "SET lock_configuration = true",
  };
  for (const std::string& statement : lockdown) TRY(session->connection_.execute(statement));
  return session;
}

core::Result<std::unique_ptr<SqlSession>> SqlSession::attach(lake::DuckDb& duckdb, std::vector<std::string> tables) {
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  std::unique_ptr<SqlSession> session(new SqlSession(duckdb, std::move(connection), Access::read_only));
  session->tables_ = std::move(tables);
  return session;
}


core::Result<ResultTable> SqlSession::run(std::string_view sql) { return run(sql, Limits{}); }

core::Result<ResultTable> SqlSession::run(std::string_view sql, const Limits& limits) {
  // The watchdog interrupts a query that runs past its time.
  std::optional<QueryWatchdog::Guard> watched;
  if (limits.timeout_ms > 0) {
    watched.emplace(QueryWatchdog::watch(connection_.handle(), QueryWatchdog::Clock::now() + std::chrono::milliseconds(limits.timeout_ms)));
  }
  auto answer = run_checked(sql, limits);
  if (watched && watched->release()) interrupted_ = true;
  if (!answer && answer.error().message.find("Interrupt") != std::string::npos) {
    return core::fail(core::ErrorCode::timed_out, "the query ran longer than {} ms and was stopped", limits.timeout_ms);
  }
  return answer;
}

core::Result<ResultTable> SqlSession::run_checked(std::string_view sql, const Limits& limits) {
  if (const uint64_t views = duckdb_.views_generation(); views != views_generation_) {
    prepared_.clear();
    prepared_order_.clear();
    views_generation_ = views;
  }
  if (const auto kept = prepared_.find(sql); kept != prepared_.end()) {
    auto answered = stream(*kept->second, limits);
    if (!answered) {  // not kept past a failure: the next ask checks and prepares it afresh
      prepared_.erase(kept);
      std::erase(prepared_order_, std::string(sql));
    }
    return answered;
  }
  TRY(check_opening(sql, access_));  // even extraction expands some PRAGMAs
  TRY_ASSIGN(lake::StatementList statements, connection_.extract(sql));
  if (statements.size() == 1) return answer(sql, limits);
  if (access_ == Access::read_only) {
    return refuse(fmt::format("give exactly one statement (this text holds {})", statements.size()));
  }
  // Session writes: each statement in turn, each checked as it comes; the last one answers.
  const std::vector<std::string_view> pieces = split_sql(sql);
  if (pieces.size() != statements.size()) return refuse("cannot tell the statements apart: run them one at a time");
  for (size_t i = 0; i + 1 < pieces.size(); ++i) {
    TRY(check_opening(pieces[i], access_));
    TRY_ASSIGN(lake::StatementList one, connection_.extract(pieces[i]));
    if (one.size() != 1) return refuse("cannot tell the statements apart: run them one at a time");
    TRY_ASSIGN(lake::PreparedStatement statement, one.prepare(0));
    if (!allowed(statement.type(), access_)) {
      return refuse(fmt::format("statement {}: --write allows SELECT, CREATE, INSERT, UPDATE, DELETE, DROP and ALTER of "
                                "in-memory objects", i + 1));
    }
    TRY(statement.run());
  }
  return answer(pieces.back(), limits);
}

core::Result<ResultTable> SqlSession::answer(std::string_view sql, const Limits& limits) {
  TRY(check_opening(sql, access_));
  TRY_ASSIGN(lake::StatementList statements, connection_.extract(sql));
  if (statements.size() != 1) return refuse("give exactly one statement");
  TRY_ASSIGN(lake::PreparedStatement last, statements.prepare(0));
  ResultTable table;
  if (last.type() == DUCKDB_STATEMENT_TYPE_EXPLAIN) {
    // EXPLAIN ANALYZE has the type of EXPLAIN but runs what it explains: only a plain EXPLAIN of
    // one SELECT is let through.
    const auto explained = explained_statement(sql);
    if (!explained) return refuse("EXPLAIN ANALYZE runs the statement it explains; only EXPLAIN <select> is allowed");
    TRY_ASSIGN(lake::StatementList inner, connection_.extract(*explained));
    if (inner.size() != 1) return refuse("EXPLAIN takes one statement");
    TRY_ASSIGN(lake::PreparedStatement inner_statement, inner.prepare(0));
    if (inner_statement.type() != DUCKDB_STATEMENT_TYPE_SELECT) return refuse("only a SELECT can be explained");
  } else if (!allowed(last.type(), access_)) {
    return refuse(access_ == Access::read_only
                      ? "only SELECT and EXPLAIN <select> are allowed (sql --write allows changes to in-memory objects)"
                      : "--write allows SELECT, EXPLAIN, CREATE, INSERT, UPDATE, DELETE, DROP and ALTER of in-memory objects");
  }
  const size_t columns = last.column_count();
  std::string casts;
  std::vector<CellSource> cells;
  for (size_t c = 0; c < columns; ++c) {
    const duckdb_type type = last.column_type(c);
    table.columns.push_back(last.column_name(c));
    table.numeric.push_back(is_numeric(type));
    cells.push_back(cell_source(type));
    const bool as_is = cells.back() != CellSource::text || type == DUCKDB_TYPE_VARCHAR;
    const std::string column = fmt::format("#{}", c + 1);
    casts += fmt::format("{}{} AS {}", c ? ", " : "", as_is ? column : fmt::format("CAST({} AS VARCHAR)", column),
                         lake::sql_identifier(table.columns.back()));
  }
  // One SELECT streams (numbers as they are, other types cast to text by DuckDB itself) and stops
  // at the first limit it meets. The wrapped text must still be one SELECT: it is checked like the user's.
  if (last.type() == DUCKDB_STATEMENT_TYPE_SELECT && columns > 0) {
    const std::string wrapped = fmt::format("SELECT {} FROM (\n{}\n) AS q", casts, without_trailing_semicolons(sql));
    if (auto list = connection_.extract(wrapped); list && list->size() == 1) {
      if (auto prepared = list->prepare(0); prepared && prepared->type() == DUCKDB_STATEMENT_TYPE_SELECT &&
                                            prepared->column_count() == columns && comes_as(*prepared, cells)) {
        auto kept = std::make_unique<PreparedAnswer>(PreparedAnswer{std::move(*prepared), table.columns, table.numeric, cells});
        if (access_ != Access::read_only) return stream(*kept, limits);  // later statements may change what it reads
        if (prepared_.size() >= kMaxPreparedAnswers) {
          prepared_.erase(prepared_order_.front());
          prepared_order_.pop_front();
        }
        prepared_order_.emplace_back(sql);
        return stream(*prepared_.emplace(std::string(sql), std::move(kept)).first->second, limits);
      }
    }
  }
  size_t bytes = 0;
  // EXPLAIN, statements that cannot be wrapped, --write's changes: materialised, then cut.
  TRY_ASSIGN(lake::QueryResult result, last.run());
  for (size_t r = 0; r < result.row_count(); ++r) {
    if (table.rows.size() >= limits.max_rows) {
      table.truncated = true;
      break;
    }
    auto& row = table.rows.emplace_back();
    for (size_t c = 0; c < columns; ++c) {
      if (result.is_null(c, r)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(result.text(c, r));
        bytes += row.back()->size();
      }
      bytes += table.columns[c].size() + 8;
    }
    if (bytes > limits.max_bytes) {
      table.rows.pop_back();
      table.truncated = true;
      break;
    }
  }
  return table;
}

core::Result<ResultTable> SqlSession::stream(PreparedAnswer& prepared, const Limits& limits) {
  ResultTable table;
  table.columns = prepared.columns;
  table.numeric = prepared.numeric;
  TRY_ASSIGN(lake::QueryResult result, prepared.statement.stream());
  size_t bytes = 0;
  while (duckdb_data_chunk chunk = result.fetch_chunk()) {
    const bool more = append_chunk(chunk, prepared.cells, limits, bytes, table);
    duckdb_destroy_data_chunk(&chunk);
    if (!more) {
      table.truncated = true;
      break;
    }
  }
  return table;
}

std::optional<std::string_view> explained_statement(std::string_view sql) {
  size_t pos = skip_blank(sql, 0);
  const std::string_view explain = word_at(sql, pos);
  if (!iequals(explain, "EXPLAIN")) return std::nullopt;
  pos = skip_blank(sql, pos + explain.size());
  const std::string_view next = word_at(sql, pos);
  // EXPLAIN ANALYZE / ANALYSE run the statement; EXPLAIN (ANALYZE, …) too; the option list is refused whole.
  if (next.empty() || iequals(next, "ANALYZE") || iequals(next, "ANALYSE")) return std::nullopt;
  return sql.substr(pos);
}

}  // namespace cryptolake::query
