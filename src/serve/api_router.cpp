#include "serve/api_router.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>

#include <fmt/format.h>

#include "core/json_text.hpp"
#include "lake/layout.hpp"
#include "query/sql_session.hpp"
#include "schedule/run_history.hpp"
#include "serve/api_params.hpp"
#include "serve/grafana_handlers.hpp"
#include "serve/live_handlers.hpp"
#include "serve/web_assets.hpp"

namespace cryptolake::serve {

namespace {

using Request = io::ServerRequest;
using Answer = core::Result<io::ServerResponse>;

int status_of(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::invalid_argument: return 400;
    case core::ErrorCode::not_found: return 404;
    case core::ErrorCode::timed_out: return 408;
    case core::ErrorCode::unavailable: return 503;
    default: return 500;
  }
}

io::ServerResponse asset(std::string_view content_type, std::string_view body, std::string_view cache) {
  return {200, std::string(content_type), std::string(body), {{"Cache-Control", std::string(cache)}}};
}

Answer table_list(const TableQueries& q) {
  std::string sql;
  for (const std::string& t : q.tables()) {
    sql += fmt::format("{}SELECT '{}' AS \"table\", count(*) AS rows, count(DISTINCT dt) AS partitions FROM {}",
                       sql.empty() ? "" : " UNION ALL ", t, lake::sql_identifier(t));
  }
  return sql.empty() ? io::ServerResponse{200, "application/json", "[]\n", {}} : q.json(sql + " ORDER BY 1");
}

// The per-series routes, each defined once for the SQL that answers it and for the index that
// answers it from memory while its table is held (serve/series_index).
SeriesShape aggregate_shape(std::string table, std::string time) {
  std::string columns = fmt::format(
      "epoch_ms({}) AS time, symbol, min_price, max_price, mean_price, first_price, last_price, volume, volatility, candles", time);
  return {std::move(table), {"symbol"}, std::move(time), std::move(columns)};
}

const std::vector<SeriesShape>& series_shapes() {
  static const std::vector<SeriesShape> shapes = {
      {"market_ohlcv", {"symbol", "interval"}, "open_time", "epoch_ms(open_time) AS time, open, high, low, close, volume, quote_volume, trades"},
      {"market_features", {"symbol", "interval"}, "open_time",
       "epoch_ms(open_time) AS time, close, prev_close, pct_change, log_return, ma_5, ma_long, rolling_std"},
      aggregate_shape("agg_market_hourly", "hour"),
      aggregate_shape("agg_market_daily", "strptime(dt, '%Y-%m-%d')::TIMESTAMPTZ"),
      aggregate_shape("agg_market_monthly", "month_start::TIMESTAMPTZ"),
  };
  return shapes;
}

const SeriesShape& shape_of(std::string_view table) { return *std::ranges::find(series_shapes(), table, &SeriesShape::table); }

// Where the per-series routes find the index of a table held in memory, and the count of the
// answers given from one.
struct Indexes {
  const HotTables* hot;
  std::atomic<uint64_t>* answered;
};

// One series (one value per key column), newest first, within the request's from/to and limit.
Answer series_answer(const TableQueries& q, Indexes indexes, const SeriesShape& shape, const Request& r, std::vector<std::string> key,
                     int64_t limit) {
  TRY_ASSIGN(const TimeRange range, time_range(r));
  if (auto index = indexes.hot ? indexes.hot->series(shape.table) : nullptr) {
    ++*indexes.answered;
    return json_response(index->answer({std::move(key), range.from, range.to, static_cast<size_t>(limit)}, q.limits()));
  }
  const std::string when = time_filter(range, shape.time);
  std::string where;
  for (size_t k = 0; k < key.size(); ++k) where += fmt::format("{}{} = {}", k ? " AND " : "", shape.keys[k], lake::sql_string(key[k]));
  return q.json(fmt::format("SELECT {} FROM {} WHERE {}{} ORDER BY {} DESC LIMIT {}", shape.columns, shape.table, where, when, shape.time, limit));
}

// One symbol's candles or features at one interval, newest first.
Answer symbol_series(const TableQueries& q, Indexes indexes, const Request& r, std::string_view table) {
  TRY(q.needs(table));
  TRY_ASSIGN(std::string symbol, symbol_param(r));
  TRY_ASSIGN(std::string interval, interval_param(r));
  TRY_ASSIGN(const int64_t limit, limit_param(r, 1440, 100'000));
  return series_answer(q, indexes, shape_of(table), r, {std::move(symbol), std::move(interval)}, limit);
}

Answer aggregates(const TableQueries& q, Indexes indexes, const Request& r) {
  const std::string period = param(r, "period", "day");
  static const std::map<std::string, std::string_view> kTables = {
      {"hour", "agg_market_hourly"}, {"day", "agg_market_daily"}, {"month", "agg_market_monthly"}};
  auto it = kTables.find(period);
  if (it == kTables.end()) return core::fail(core::ErrorCode::invalid_argument, "period={}: expected hour, day or month", period);
  const SeriesShape& shape = shape_of(it->second);
  TRY(q.needs(shape.table));
  TRY_ASSIGN(std::string symbol, symbol_param(r, false));
  TRY_ASSIGN(const int64_t limit, limit_param(r, 1000, 100'000));
  if (!symbol.empty()) return series_answer(q, indexes, shape, r, {std::move(symbol)}, limit);
  TRY_ASSIGN(const std::string when, time_filter(r, shape.time));
  return q.json(fmt::format("SELECT {} FROM {} WHERE true{} ORDER BY time DESC, symbol LIMIT {}", shape.columns, shape.table, when, limit));
}

Answer volatility(const TableQueries& q, const Request& r) {
  TRY(q.needs("agg_market_daily"));
  TRY_ASSIGN(const std::string when, time_filter(r, "strptime(dt, '%Y-%m-%d')::TIMESTAMPTZ"));
  TRY_ASSIGN(const int64_t limit, limit_param(r, 10, 1000));
  return q.json(fmt::format(
      "SELECT symbol, avg(volatility) * sqrt(1440) AS daily_volatility, (max(max_price) - min(min_price)) / min(min_price) AS range_ratio "
      "FROM agg_market_daily WHERE true{} GROUP BY symbol ORDER BY daily_volatility DESC LIMIT {}",
      when, limit));
}

Answer sentiment(const TableQueries& q, const Request& r) {
  TRY(q.needs("sentiment_price_summary"));
  const std::string coin = param(r, "coin");
  return q.json(fmt::format("SELECT * EXCLUDE (dt) FROM sentiment_price_summary{} ORDER BY coin",
                            coin.empty() ? "" : " WHERE coin = upper(" + lake::sql_string(coin) + ")"));
}

Answer sentiment_hourly(const TableQueries& q, const Request& r) {
  TRY(q.needs("sentiment_price"));
  const std::string coin = param(r, "coin");
  if (coin.empty()) return core::fail(core::ErrorCode::invalid_argument, "coin is required, e.g. coin=BTC");
  TRY_ASSIGN(const std::string when, time_filter(r, "hour"));
  TRY_ASSIGN(const int64_t limit, limit_param(r, 24 * 30, 100'000));
  return q.json(fmt::format(
      "SELECT epoch_ms(hour) AS time, posts, sentiment, weighted_sentiment, positive_share, negative_share, log_return, volume "
      "FROM sentiment_price WHERE coin = upper({}){} ORDER BY hour DESC LIMIT {}",
      lake::sql_string(coin), when, limit));
}

Answer quality_results(const TableQueries& q, const Request& r) {
  TRY(q.needs("dq_results"));
  TRY_ASSIGN(const int64_t limit, limit_param(r, 1000, 100'000));
  return q.json(fmt::format(
      "SELECT epoch_ms(\"at\") AS time, run_id, \"check\", table_name, \"partition\", status, severity, observed, threshold "
      "FROM dq_results WHERE run_id = (SELECT arg_max(run_id, \"at\") FROM dq_results) "
      "ORDER BY status = 'pass', table_name, \"check\", \"partition\" LIMIT {}", limit));
}

// The newest alerts first (the [[alerts]] rules' table). A lake without rules has no such table:
// that is no alerts, not an error.
Answer alert_list(const TableQueries& q, const Request& r) {
  TRY_ASSIGN(const std::string symbol, symbol_param(r, false));
  TRY_ASSIGN(const std::string when, time_filter(r, "alert_time"));
  TRY_ASSIGN(const int64_t limit, limit_param(r, 20, 10'000));
  if (!q.needs("alerts")) return io::ServerResponse{200, "application/json", "[]\n", {}};
  return q.json(fmt::format("SELECT epoch_ms(alert_time) AS time, rule, kind, source, symbol, value, threshold, message FROM alerts "
                            "WHERE true{}{} ORDER BY alert_time DESC, rule, symbol LIMIT {}",
                            symbol.empty() ? "" : " AND symbol = " + lake::sql_string(symbol), when, limit));
}

Answer gap_list(const TableQueries& q) {
  TRY(q.needs("gaps"));
  return q.json("SELECT source, symbol, interval, epoch_ms(gap_start) AS gap_start, epoch_ms(gap_end) AS gap_end, "
                "missing_candles, class FROM gaps ORDER BY gap_start DESC");
}

// The scheduler's task runs (each attempt) whose interval starts within [from, to): by default
// the 48 hours before the newest one. Times in epoch ms; failures are for the page to put first.
Answer task_runs(lake::ObjectStore& store, const Request& r) {
  TRY_ASSIGN(const auto from, instant_param(r, "from"));
  TRY_ASSIGN(const auto to, instant_param(r, "to"));
  TRY_ASSIGN(const int64_t limit, limit_param(r, 5'000, 50'000));
  const std::string task = param(r, "task");
  std::vector<schedule::TaskRun> runs = schedule::RunHistory(store).task_runs(from);
  if (!from && !runs.empty()) {
    const core::Timestamp newest = runs.back().interval_start;
    std::erase_if(runs, [&](const schedule::TaskRun& run) { return run.interval_start < newest - 48 * core::Timestamp::kMicrosPerHour; });
  }
  std::erase_if(runs, [&](const schedule::TaskRun& run) { return (to && !(run.interval_start < *to)) || (!task.empty() && run.task != task); });
  if (runs.size() > static_cast<size_t>(limit)) runs.erase(runs.begin(), runs.end() - limit);  // the newest
  const auto ms = [](const std::optional<core::Timestamp>& t) { return t ? std::to_string(t->micros() / 1000) : std::string("null"); };
  const auto count = [](const std::optional<int64_t>& n) { return n ? std::to_string(*n) : std::string("null"); };
  std::string body = "[";
  for (const schedule::TaskRun& run : runs) {
    body += fmt::format("{}{{\"run_id\":{},\"task\":{},\"interval_start\":{},\"interval_end\":{},\"state\":\"{}\",\"attempt\":{},"
                        "\"started_at\":{},\"ended_at\":{},\"rows_in\":{},\"rows_out\":{},\"error\":{}}}",
                        body.size() > 1 ? "," : "", core::json_string(run.run_id), core::json_string(run.task), run.interval_start.micros() / 1000,
                        run.interval_end.micros() / 1000, schedule::state_name(run.state), run.attempt, ms(run.started_at), ms(run.ended_at),
                        count(run.rows_in), count(run.rows_out), run.error.empty() ? "null" : core::json_string(run.error));
  }
  return io::ServerResponse{200, "application/json", body + "]\n", {}};
}

}  // namespace

core::Result<std::unique_ptr<ApiRouter>> ApiRouter::create(lake::ObjectStore& store, lake::DuckDb& duckdb, ServeOptions options) {
  TRY_ASSIGN(auto session, query::SqlSession::open(store, duckdb, query::Access::read_only, {options.memory_limit}));
  TRY_ASSIGN(auto hot, HotTables::start(store, duckdb, session->tables(), options.hot, series_shapes()));
  std::unique_ptr<ApiRouter> router(new ApiRouter(store, duckdb, std::move(options), session->tables()));
  router->hot_ = std::move(hot);
  return router;
}

ApiRouter::ApiRouter(lake::ObjectStore& store, lake::DuckDb& duckdb, ServeOptions options, std::vector<std::string> tables)
    : store_(store),
      options_(std::move(options)),
      tables_(duckdb, std::move(tables), {options_.max_bytes, options_.sql_timeout_ms}),
      cache_(std::chrono::milliseconds(options_.cache_ms), options_.cache_max_bytes) {
  const TableQueries& q = tables_;
  const auto page = [](const Request&) -> Answer { return asset("text/html; charset=utf-8", dashboard_html(), "no-cache"); };
  routes_ = {
      {"/", page},
      {"/index.html", page},
      {"/assets/uplot.js", [](const Request&) -> Answer { return asset("application/javascript", uplot_js(), "public, max-age=86400, immutable"); }},
      {"/assets/uplot.css", [](const Request&) -> Answer { return asset("text/css", uplot_css(), "public, max-age=86400, immutable"); }},
      {"/metrics", [this](const Request&) -> Answer { return metrics_text(); }},
      {"/api/v1/tables", [&q](const Request&) { return table_list(q); }},
      {"/api/v1/ohlcv", [this, &q](const Request& r) { return symbol_series(q, {hot_.get(), &indexed_answers_}, r, "market_ohlcv"); }},
      {"/api/v1/features", [this, &q](const Request& r) {
         return symbol_series(q, {hot_.get(), &indexed_answers_}, r, "market_features");
       }},
      {"/api/v1/aggregates", [this, &q](const Request& r) { return aggregates(q, {hot_.get(), &indexed_answers_}, r); }},
      {"/api/v1/volatility", [&q](const Request& r) { return volatility(q, r); }},
      {"/api/v1/sentiment", [&q](const Request& r) { return sentiment(q, r); }},
      {"/api/v1/sentiment/hourly", [&q](const Request& r) { return sentiment_hourly(q, r); }},
      {"/api/v1/quality", [&q](const Request& r) { return quality_results(q, r); }},
      {"/api/v1/gaps", [&q](const Request&) { return gap_list(q); }},
      {"/api/v1/alerts", [&q](const Request& r) { return alert_list(q, r); }},
      {"/api/v1/runs", [this](const Request& r) { return task_runs(store_, r); }},
      {"/api/v1/live", [this](const Request& r) { return live_answer(options_.live, r, live_streams_); }},
      {"/api/v1/sql", [this](const Request& r) -> Answer {
         const std::string sql = param(r, "q", r.method == "POST" ? r.body : "");
         if (sql.empty()) return core::fail(core::ErrorCode::invalid_argument, "give the query as q=… (or as the POST body)");
         return tables_.json(sql, options_.max_rows);
       }},
      {"/api/grafana", [](const Request&) -> Answer { return grafana::health(); }},
      {"/api/grafana/", [](const Request&) -> Answer { return grafana::health(); }},
      {"/api/grafana/metrics", [](const Request&) -> Answer { return grafana::metric_names(); }},
      {"/api/grafana/variable", [&q](const Request&) { return grafana::symbols(q); }},
      {"/api/grafana/query", [&q](const Request& r) { return grafana::query(q, r); }},
  };
}

// Compares in time that depends only on the lengths, so the token cannot be guessed byte by byte.
bool ApiRouter::authorized(const io::ServerRequest& request) const {
  if (options_.token.empty()) return true;
  auto it = request.headers.find("authorization");
  if (it == request.headers.end()) return false;
  const std::string expected = "Bearer " + options_.token;
  const std::string& given = it->second;
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  return diff == 0;
}

io::ServerResponse ApiRouter::handle(const io::ServerRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  io::ServerResponse response;
  if (!authorized(request)) {
    response = error_response(401, "this server needs Authorization: Bearer <token>");
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
  } else {
    const bool cacheable = options_.cache_ms > 0 && request.method == "GET" && request.path.starts_with("/api/v1/") && request.path != "/api/v1/live";
    std::string key;
    std::optional<io::ServerResponse> cached;
    if (cacheable) {
      key = request.path;
      for (const auto& [k, v] : request.params) key += fmt::format("\x1f{}={}", k, v);
      cached = cache_.find(key, started);
    }
    if (cached) {
      response = std::move(*cached);
    } else {
      response = route(request);
      if (cacheable && response.status == 200) cache_.put(key, response, std::chrono::steady_clock::now());
    }
  }
  // Bounded route labels: the path for API routes, "other" for everything else.
  const std::string label = request.path.starts_with("/api/") || request.path == "/metrics" || request.path == "/" ? request.path : "other";
  metrics_.observe_request(label, response.status, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return response;
}

io::ServerResponse ApiRouter::route(const io::ServerRequest& request) {
  const auto handler = routes_.find(request.path);
  if (handler == routes_.end()) return error_response(404, fmt::format("no route {}; see /api/v1/tables and the README", request.path));
  auto answer = handler->second(request);
  if (!answer) return error_response(status_of(answer.error().code), answer.error().message);
  return std::move(*answer);
}

io::ServerResponse ApiRouter::metrics_text() {
  std::vector<Metrics::Sample> samples;
  Metrics::Sample rows{"cryptolake_table_rows", "Rows in each curated table.", "gauge", {}, ""};
  Metrics::Sample quarantined{"cryptolake_quarantine_objects", "Quarantine objects (one per raw batch with rejects), by source.", "gauge", {}, ""};
  std::string counts;
  for (const std::string& t : tables_.tables()) {
    counts += fmt::format("{}SELECT {}, count(*) FROM {}", counts.empty() ? "" : " UNION ALL ", lake::sql_string(t), lake::sql_identifier(t));
  }
  if (auto n = counts.empty() ? core::Result<query::ResultTable>() : tables_.rows(counts)) {
    for (const auto& row : n->rows) {
      if (row[0] && row[1]) rows.values.emplace_back(fmt::format("table=\"{}\"", *row[0]), std::stod(*row[1]));
    }
  }
  Metrics::Sample indexed{"cryptolake_serve_indexed_rows", "Rows the per-symbol routes answer from memory, by table.", "gauge", {}, ""};
  for (const auto& [t, n] : hot_->indexed_rows()) indexed.values.emplace_back(fmt::format("table=\"{}\"", t), static_cast<double>(n));
  samples.push_back(std::move(indexed));
  samples.push_back({"cryptolake_serve_indexed_answers_total", "Answers of the per-symbol routes given from memory, not by SQL.", "counter",
                     {{"", static_cast<double>(indexed_answers_.load())}}, ""});
  std::map<std::string, double> per_source;
  for (const std::string& key : store_.list(lake::layout::kQuarantine).value_or(std::vector<std::string>{})) {
    const size_t start = lake::layout::kQuarantine.size();
    per_source[key.substr(start, key.find('/', start) - start)] += 1;
  }
  for (const auto& [source, n] : per_source) quarantined.values.emplace_back(fmt::format("source=\"{}\"", source), n);
  samples.push_back(std::move(rows));
  samples.push_back(std::move(quarantined));
  // From the run history: rows written and quarantined, stage durations, and when each stage
  // last succeeded.
  const schedule::RunHistory history(store_);
  Metrics::Sample written{"cryptolake_rows_written_total", "Rows written by the transform stages, by table.", "counter", {}, ""};
  Metrics::Sample rejected{"cryptolake_records_quarantined_total", "Records sent to quarantine, by table.", "counter", {}, ""};
  Metrics::Sample last{"cryptolake_stage_last_success_timestamp_seconds", "When each stage last finished successfully.", "gauge", {}, ""};
  std::map<std::string, std::vector<double>> durations;
  std::map<std::string, std::array<double, 3>> per_stage;  // rows, quarantined, last finish
  for (const schedule::StageRun& run : history.stage_runs()) {
    auto& stage = per_stage[run.stage];
    stage[0] += static_cast<double>(run.rows);
    stage[1] += static_cast<double>(run.quarantined);
    stage[2] = std::max(stage[2], static_cast<double>(run.finished_at.micros() / core::Timestamp::kMicrosPerSecond));
    durations[fmt::format("stage=\"{}\"", run.stage)].push_back(run.seconds);
  }
  for (const auto& [stage, v] : per_stage) {
    const std::string label = fmt::format("table=\"{}\"", stage);
    written.values.emplace_back(label, v[0]);
    rejected.values.emplace_back(label, v[1]);
    last.values.emplace_back(fmt::format("stage=\"{}\"", stage), v[2]);
  }
  samples.push_back(std::move(written));
  samples.push_back(std::move(rejected));
  samples.push_back(std::move(last));
  samples.push_back(Metrics::histogram("cryptolake_stage_duration_seconds", "Time each stage took (transform stages and quality runs).", durations));
  // The scheduler's tasks: when each last succeeded, how long its attempts took, how many failed.
  Metrics::Sample task_success{"cryptolake_task_last_success_timestamp_seconds", "When each scheduled task last succeeded.", "gauge", {}, ""};
  Metrics::Sample task_failures{"cryptolake_task_failures_total", "Scheduled task runs failed after their last retry.", "counter", {}, ""};
  Metrics::Sample task_attempts{"cryptolake_task_attempts_total", "Scheduled task attempts, by how they ended.", "counter", {}, ""};
  std::map<std::string, std::vector<double>> task_durations;
  std::map<std::string, double> last_success, failures;
  std::map<std::pair<std::string, std::string_view>, double> attempts;
  for (const schedule::TaskRun& run : history.task_runs()) {
    const bool ended = run.state == schedule::TaskState::success || run.state == schedule::TaskState::failed ||
                       run.state == schedule::TaskState::retrying;
    failures[run.task] += run.state == schedule::TaskState::failed ? 1 : 0;
    if (run.state != schedule::TaskState::queued && run.state != schedule::TaskState::running) attempts[{run.task, schedule::state_name(run.state)}] += 1;
    if (ended && run.started_at && run.ended_at) {
      task_durations[fmt::format("task=\"{}\"", run.task)].push_back(static_cast<double>(*run.ended_at - *run.started_at) / 1e6);
    }
    if (run.state == schedule::TaskState::success && run.ended_at) {
      last_success[run.task] = std::max(last_success[run.task], static_cast<double>(run.ended_at->micros() / core::Timestamp::kMicrosPerSecond));
    }
  }
  for (const auto& [t, at] : last_success) task_success.values.emplace_back(fmt::format("task=\"{}\"", t), at);
  for (const auto& [t, n] : failures) task_failures.values.emplace_back(fmt::format("task=\"{}\"", t), n);
  for (const auto& [key, n] : attempts) task_attempts.values.emplace_back(fmt::format("task=\"{}\",state=\"{}\"", key.first, key.second), n);
  samples.push_back(std::move(task_success));
  samples.push_back(std::move(task_failures));
  samples.push_back(std::move(task_attempts));
  samples.push_back(Metrics::histogram("cryptolake_task_duration_seconds", "Time each scheduled task attempt took.", task_durations));
  // Rate-limit waits, as the collecting processes recorded them.
  Metrics::Sample waits{"cryptolake_rate_limit_waits_total", "Requests that waited for a rate-limit budget, by service.", "counter", {}, ""};
  Metrics::Sample waited{"cryptolake_rate_limit_wait_seconds_total", "Time spent waiting for rate-limit budgets, by service.", "counter", {}, ""};
  std::map<std::string, std::pair<double, double>> per_service;
  for (const schedule::RateLimitWaits& w : history.rate_limit_waits()) {
    auto& totals = per_service[w.service];
    totals.first += static_cast<double>(w.waits);
    totals.second += w.waited_seconds;
  }
  for (const auto& [service, totals] : per_service) {
    waits.values.emplace_back(fmt::format("service=\"{}\"", service), totals.first);
    waited.values.emplace_back(fmt::format("service=\"{}\"", service), totals.second);
  }
  samples.push_back(std::move(waits));
  samples.push_back(std::move(waited));
  return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.exposition(samples), {}};
}

}  // namespace cryptolake::serve
