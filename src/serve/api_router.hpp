// The HTTP API behind the dashboard and Grafana: /api/v1/… JSON (flat arrays of objects, times
// as epoch-ms columns, which Grafana's Infinity data source reads as they are), read-only
// /api/v1/sql, Prometheus /metrics, and the dashboard page. Parameters are checked; a bad one
// is a 400 with {"error": "…"}. With a token, every request needs "Authorization: Bearer <token>".
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "io/http_server.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "serve/answer_cache.hpp"
#include "serve/hot_tables.hpp"
#include "serve/live_feed.hpp"
#include "serve/metrics.hpp"
#include "serve/table_queries.hpp"

namespace cryptolake::serve {

struct ServeOptions {
  std::string token;                  // empty: no authentication (loopback only)
  size_t max_rows = 10'000;           // per /api/v1/sql answer
  size_t max_bytes = 16 << 20;        // per answer, in cells; a cut answer carries X-Cryptolake-Truncated
  int64_t sql_timeout_ms = 5'000;
  int64_t cache_ms = 5'000;           // identical API requests within this time share one answer (0: off)
  size_t cache_max_bytes = 64 << 20;  // all cached answers together
  std::string memory_limit = "1GB";   // DuckDB memory for all queries together
  HotOptions hot = {};                // the small tables answered from memory
  const LiveFeed* live = nullptr;     // serve --live: the live view behind /api/v1/live
};

// Thread-safe: each request gets its own DuckDB connection. Routes are a table from path to
// handler; a handler's error becomes its status (invalid_argument 400, not_found 404,
// timed_out 408, anything else 500) with {"error": "…"}.
class ApiRouter {
 public:
  // Prepares the read-only views over the lake once (the database's settings are then locked).
  [[nodiscard]] static core::Result<std::unique_ptr<ApiRouter>> create(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                                      ServeOptions options);

  io::ServerResponse handle(const io::ServerRequest& request);
  Metrics& metrics() { return metrics_; }

 private:
  using Handler = std::function<core::Result<io::ServerResponse>(const io::ServerRequest&)>;

  ApiRouter(lake::ObjectStore& store, lake::DuckDb& duckdb, ServeOptions options, std::vector<std::string> tables);
  bool authorized(const io::ServerRequest& request) const;
  io::ServerResponse route(const io::ServerRequest& request);
  io::ServerResponse metrics_text();

  lake::ObjectStore& store_;
  ServeOptions options_;
  TableQueries tables_;
  Metrics metrics_;
  AnswerCache cache_;  // by request: path + parameters
  std::map<std::string, Handler, std::less<>> routes_;
  std::unique_ptr<HotTables> hot_;
  std::atomic<uint64_t> indexed_answers_{0};  // answers of the per-series routes given from an index
  std::shared_ptr<std::atomic<int>> live_streams_ = std::make_shared<std::atomic<int>>(0);  // Server-Sent Event streams open
};

}  // namespace cryptolake::serve
