#include "serve/table_queries.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/excerpt.hpp"
#include "core/json_text.hpp"
#include "query/result_format.hpp"

namespace cryptolake::serve {

io::ServerResponse error_response(int status, std::string_view message) {
  return {status, "application/json", fmt::format("{{\"error\":{}}}\n", core::json_string(core::excerpt(message, 1000))), {}};
}

core::Status TableQueries::needs(std::string_view table) const {
  if (std::ranges::find(tables_, table) != tables_.end()) return {};
  return core::fail(core::ErrorCode::not_found, "no {} table in this lake yet; run `cryptolake etl`", table);
}

namespace {
constexpr size_t kMaxIdleSessions = 16;
}  // namespace

core::Result<std::unique_ptr<query::SqlSession>> TableQueries::session() const {
  {
    std::lock_guard lock(idle_mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<query::SqlSession> kept = std::move(idle_.back());
      idle_.pop_back();
      return kept;
    }
  }
  return query::SqlSession::attach(duckdb_, tables_);
}

void TableQueries::keep(std::unique_ptr<query::SqlSession> session) const {
  if (!session->reusable()) return;
  std::lock_guard lock(idle_mutex_);
  if (idle_.size() < kMaxIdleSessions) idle_.push_back(std::move(session));
}

io::ServerResponse TableQueries::json(std::string_view sql, size_t max_rows) const {
  auto session = this->session();
  if (!session) return error_response(500, session.error().message);
  auto result = (*session)->run(sql, limits(max_rows));
  keep(std::move(*session));  // unless the watchdog interrupted it
  if (!result) return error_response(result.error().code == core::ErrorCode::timed_out ? 408 : 400, result.error().message);
  return json_response(*result);
}

io::ServerResponse json_response(const query::ResultTable& result) {
  io::ServerResponse response{200, "application/json", query::format_json(result), {{"Cache-Control", "no-cache"}}};
  // The body stays a plain array (Grafana and the dashboard read it as is); the cut is in a header.
  if (result.truncated) response.headers.emplace_back("X-Cryptolake-Truncated", "true");
  return response;
}

core::Result<query::ResultTable> TableQueries::rows(std::string_view sql) const {
  TRY_ASSIGN(auto session, this->session());
  auto result = session->run(sql);
  keep(std::move(session));
  return result;
}

}  // namespace cryptolake::serve
