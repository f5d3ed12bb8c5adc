// The HTTP API behind the dashboard and Grafana: /api/v1/… JSON (flat arrays of objects, times
// as epoch-ms columns, which Grafana's Infinity data source reads as they are), read-only
// /api/v1/sql, Prometheus /metrics, and the dashboard page. Parameters are checked; a bad one
// is a 400 with {"error": "…"}. With a token, every request needs "Authorization: Bearer <token>".
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "io/http_server.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "serve/answer_cache.hpp"
#include "serve/metrics.hpp"

namespace cryptolake::serve {

struct ServeOptions {
  std::string token;                  // empty: no authentication (loopback only)
  size_t max_rows = 10'000;           // per /api/v1/sql answer
  size_t max_bytes = 16 << 20;        // per answer, in cells; a cut answer carries X-Cryptolake-Truncated
  int64_t sql_timeout_ms = 5'000;
  int64_t cache_ms = 5'000;           // identical API requests within this time share one answer (0: off)
  size_t cache_max_bytes = 64 << 20;  // all cached answers together
  std::string memory_limit = "1GB";   // DuckDB memory for all queries together
};

// Thread-safe: each request gets its own DuckDB connection.
class ApiRouter {
 public:
  // Prepares the read-only views over the lake once (the database's settings are then locked).
  [[nodiscard]] static core::Result<std::unique_ptr<ApiRouter>> create(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                                      ServeOptions options);

  io::ServerResponse handle(const io::ServerRequest& request);
  Metrics& metrics() { return metrics_; }

 private:
  ApiRouter(lake::ObjectStore& store, lake::DuckDb& duckdb, ServeOptions options, std::vector<std::string> tables)
      : store_(store), duckdb_(duckdb), options_(std::move(options)), tables_(std::move(tables)),
        cache_(std::chrono::milliseconds(options_.cache_ms), options_.cache_max_bytes) {}
  bool authorized(const io::ServerRequest& request) const;
  io::ServerResponse route(const io::ServerRequest& request);
  io::ServerResponse query_json(std::string_view sql, size_t max_rows = 100'000);
  io::ServerResponse metrics_text();

  lake::ObjectStore& store_;
  lake::DuckDb& duckdb_;
  ServeOptions options_;
  std::vector<std::string> tables_;
  Metrics metrics_;
  AnswerCache cache_;  // by request: path + parameters
};

}  // namespace cryptolake::serve
