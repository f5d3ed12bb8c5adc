// Read-only queries over the lake's tables for the API's handlers, with the serve limits (rows,
// bytes, time). Each call gets a session of its own for its time; sessions are kept between calls
// (opening a connection cost about as much as a small query, and a kept session answers a query
// text it has seen without parsing and planning it again).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "io/http_server.hpp"
#include "lake/duckdb.hpp"
#include "query/sql_session.hpp"

namespace cryptolake::serve {

struct QueryLimits {
  size_t max_bytes = 16 << 20;
  int64_t timeout_ms = 5'000;
};

class TableQueries {
 public:
  TableQueries(lake::DuckDb& duckdb, std::vector<std::string> tables, QueryLimits limits)
      : duckdb_(duckdb), tables_(std::move(tables)), limits_(limits) {}

  const std::vector<std::string>& tables() const { return tables_; }
  // not_found ("no <table> table in this lake yet; run `cryptolake etl`") when the lake lacks it.
  [[nodiscard]] core::Status needs(std::string_view table) const;
  // The answer as a JSON array (a cut answer says so in X-Cryptolake-Truncated); a refused or
  // failed query is a 400, one that ran out of time a 408.
  io::ServerResponse json(std::string_view sql, size_t max_rows = kMaxRows) const;
  [[nodiscard]] core::Result<query::ResultTable> rows(std::string_view sql) const;
  // What json() cuts an answer at.
  query::SqlSession::Limits limits(size_t max_rows = kMaxRows) const { return {max_rows, limits_.max_bytes, limits_.timeout_ms}; }

  static constexpr size_t kMaxRows = 100'000;

 private:
  core::Result<std::unique_ptr<query::SqlSession>> session() const;
  void keep(std::unique_ptr<query::SqlSession> session) const;

  lake::DuckDb& duckdb_;
  std::vector<std::string> tables_;
  QueryLimits limits_;
  mutable std::mutex idle_mutex_;
  mutable std::vector<std::unique_ptr<query::SqlSession>> idle_;  // between calls
};

// An answer as the API sends it: a JSON array; a cut answer says so in X-Cryptolake-Truncated.
io::ServerResponse json_response(const query::ResultTable& result);

// {"error": "…"} with the message cut to a safe length.
io::ServerResponse error_response(int status, std::string_view message);

}  // namespace cryptolake::serve
