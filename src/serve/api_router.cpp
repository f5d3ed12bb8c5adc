#include "serve/api_router.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <set>

#include <simdjson.h>

#include <fmt/format.h>

#include "core/decimal.hpp"
#include "core/excerpt.hpp"
#include "core/json_text.hpp"
#include "core/market.hpp"
#include "core/symbol.hpp"
#include "query/result_format.hpp"
#include "query/sql_session.hpp"
#include "serve/web_assets.hpp"
#include "lake/layout.hpp"

namespace cryptolake::serve {

namespace {

using core::Timestamp;

io::ServerResponse error(int status, std::string_view message) {
  return {status, "application/json", fmt::format("{{\"error\":{}}}\n", core::json_string(core::excerpt(message, 1000))), {}};
}

// A bad parameter: the message names it and says what it takes.
struct BadParameter {
  std::string message;
};

std::string param(const io::ServerRequest& r, const std::string& name, std::string fallback = {}) {
  auto it = r.params.find(name);
  return it == r.params.end() || it->second.empty() ? fallback : it->second;
}

// from/to: ISO-8601 or epoch milliseconds; returned as a SQL TIMESTAMPTZ literal.
std::optional<std::string> time_param(const io::ServerRequest& r, const std::string& name) {
  const std::string text = param(r, name);
  if (text.empty()) return std::nullopt;
  if (auto ms = core::parse_int(text)) return Timestamp::from_millis(*ms).sql_literal() + "::TIMESTAMPTZ";
  if (auto iso = Timestamp::parse_iso(text)) return iso->sql_literal() + "::TIMESTAMPTZ";
  throw BadParameter{fmt::format("{}={}: expected ISO-8601 (2024-01-01T00:00:00Z) or epoch milliseconds", name, text)};
}

std::string symbol_param(const io::ServerRequest& r, bool required = true) {
  const std::string text = param(r, "symbol");
  if (text.empty()) {
    if (required) throw BadParameter{"symbol is required, e.g. symbol=BTC-USDT"};
    return {};
  }
  auto symbol = core::Symbol::parse(text);
  if (!symbol) throw BadParameter{fmt::format("symbol={}: {}", text, symbol.error().message)};
  return symbol->canonical();
}

int64_t limit_param(const io::ServerRequest& r, int64_t fallback, int64_t max) {
  const std::string text = param(r, "limit");
  if (text.empty()) return fallback;
  auto n = core::parse_int(text);
  if (!n || *n < 1 || *n > max) throw BadParameter{fmt::format("limit={}: expected 1 to {}", text, max)};
  return *n;
}

std::string interval_param(const io::ServerRequest& r) {
  const std::string text = param(r, "interval", "1m");
  if (core::interval_micros(text) == 0 && text != "1M") throw BadParameter{fmt::format("interval={}: expected 1m, 5m, 1h, 1d, …", text)};
  return text;
}

std::string time_filter(const io::ServerRequest& r, std::string_view column) {
  std::string where;
  if (auto from = time_param(r, "from")) where += fmt::format(" AND {} >= {}", column, *from);
  if (auto to = time_param(r, "to")) where += fmt::format(" AND {} < {}", column, *to);
  return where;
}

}  // namespace

core::Result<std::unique_ptr<ApiRouter>> ApiRouter::create(lake::ObjectStore& store, lake::DuckDb& duckdb, ServeOptions options) {
  TRY_ASSIGN(auto session, query::SqlSession::open(store, duckdb, query::Access::read_only, {options.memory_limit}));
  return std::unique_ptr<ApiRouter>(new ApiRouter(store, duckdb, std::move(options), session->tables()));
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
    response = error(401, "this server needs Authorization: Bearer <token>");
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
  } else {
    const bool cacheable = options_.cache_ms > 0 && request.method == "GET" && request.path.starts_with("/api/v1/");
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
      try {
        response = route(request);
      } catch (const BadParameter& bad) {
        response = error(400, bad.message);
      }
      if (cacheable && response.status == 200) cache_.put(key, response, std::chrono::steady_clock::now());
    }
  }
  // Bounded route labels: the path for API routes, "other" for everything else.
  const std::string label = request.path.starts_with("/api/") || request.path == "/metrics" || request.path == "/" ? request.path : "other";
  metrics_.observe_request(label, response.status, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return response;
}

io::ServerResponse ApiRouter::query_json(std::string_view sql, size_t max_rows) {
  auto session = query::SqlSession::attach(duckdb_, tables_);
  if (!session) return error(500, session.error().message);
  auto result = (*session)->run(sql, {max_rows, options_.max_bytes, options_.sql_timeout_ms});
  if (!result) return error(result.error().code == core::ErrorCode::timed_out ? 408 : 400, result.error().message);
  io::ServerResponse response{200, "application/json", query::format_json(*result), {{"Cache-Control", "no-cache"}}};
  // The body stays a plain array (Grafana and the dashboard read it as is); the cut is in a header.
  if (result->truncated) response.headers.emplace_back("X-Cryptolake-Truncated", "true");
  return response;
}

io::ServerResponse ApiRouter::route(const io::ServerRequest& r) {
  const std::string& path = r.path;
  const auto has = [&](const char* table) { return std::ranges::find(tables_, table) != tables_.end(); };
  const auto needs = [&](const char* table) -> std::optional<io::ServerResponse> {
    if (has(table)) return std::nullopt;
    return error(404, fmt::format("no {} table in this lake yet; run `cryptolake etl`", table));
  };
  if (path == "/" || path == "/index.html") {
    return {200, "text/html; charset=utf-8", std::string(dashboard_html()), {{"Cache-Control", "no-cache"}}};
  }
  if (path == "/assets/uplot.js") {
    return {200, "application/javascript", std::string(uplot_js()), {{"Cache-Control", "public, max-age=86400, immutable"}}};
  }
  if (path == "/assets/uplot.css") {
    return {200, "text/css", std::string(uplot_css()), {{"Cache-Control", "public, max-age=86400, immutable"}}};
  }
  if (path == "/metrics") return metrics_text();
  if (path == "/api/v1/tables") {
    std::string sql;
    for (const std::string& t : tables_) {
      sql += fmt::format("{}SELECT '{}' AS \"table\", count(*) AS rows, count(DISTINCT dt) AS partitions FROM {}",
                         sql.empty() ? "" : " UNION ALL ", t, lake::sql_identifier(t));
    }
    return sql.empty() ? io::ServerResponse{200, "application/json", "[]\n", {}} : query_json(sql + " ORDER BY 1");
  }
  if (path == "/api/v1/ohlcv") {
    if (auto missing = needs("market_ohlcv")) return *missing;
    return query_json(fmt::format(
        "SELECT epoch_ms(open_time) AS time, open, high, low, close, volume, quote_volume, trades FROM market_ohlcv "
        "WHERE symbol = {} AND interval = {}{} ORDER BY open_time DESC LIMIT {}",
        lake::sql_string(symbol_param(r)), lake::sql_string(interval_param(r)), time_filter(r, "open_time"), limit_param(r, 1440, 100'000)));
  }
  if (path == "/api/v1/features") {
    if (auto missing = needs("market_features")) return *missing;
    return query_json(fmt::format(
        "SELECT epoch_ms(open_time) AS time, close, prev_close, pct_change, log_return, ma_5, ma_long, rolling_std FROM market_features "
        "WHERE symbol = {} AND interval = {}{} ORDER BY open_time DESC LIMIT {}",
        lake::sql_string(symbol_param(r)), lake::sql_string(interval_param(r)), time_filter(r, "open_time"), limit_param(r, 1440, 100'000)));
  }
  if (path == "/api/v1/aggregates") {
    const std::string period = param(r, "period", "day");
    const std::map<std::string, std::pair<const char*, const char*>> tables = {
        {"hour", {"agg_market_hourly", "hour"}}, {"day", {"agg_market_daily", "strptime(dt, '%Y-%m-%d')::TIMESTAMPTZ"}},
        {"month", {"agg_market_monthly", "month_start::TIMESTAMPTZ"}}};
    auto it = tables.find(period);
    if (it == tables.end()) throw BadParameter{fmt::format("period={}: expected hour, day or month", period)};
    if (auto missing = needs(it->second.first)) return *missing;
    const std::string symbol = symbol_param(r, false);
    return query_json(fmt::format(
        "SELECT epoch_ms({1}) AS time, symbol, min_price, max_price, mean_price, first_price, last_price, volume, volatility, candles "
        "FROM {0} WHERE true{2}{3} ORDER BY time DESC, symbol LIMIT {4}",
        it->second.first, it->second.second, symbol.empty() ? "" : " AND symbol = " + lake::sql_string(symbol),
        time_filter(r, it->second.second), limit_param(r, 1000, 100'000)));
  }
  if (path == "/api/v1/volatility") {
    if (auto missing = needs("agg_market_daily")) return *missing;
    return query_json(fmt::format(
        "SELECT symbol, avg(volatility) * sqrt(1440) AS daily_volatility, (max(max_price) - min(min_price)) / min(min_price) AS range_ratio "
        "FROM agg_market_daily WHERE true{} GROUP BY symbol ORDER BY daily_volatility DESC LIMIT {}",
        time_filter(r, "strptime(dt, '%Y-%m-%d')::TIMESTAMPTZ"), limit_param(r, 10, 1000)));
  }
  if (path == "/api/v1/sentiment") {
    if (auto missing = needs("sentiment_price_summary")) return *missing;
    const std::string coin = param(r, "coin");
    return query_json(fmt::format("SELECT * EXCLUDE (dt) FROM sentiment_price_summary{} ORDER BY coin",
                                  coin.empty() ? "" : " WHERE coin = upper(" + lake::sql_string(coin) + ")"));
  }
  if (path == "/api/v1/sentiment/hourly") {
    if (auto missing = needs("sentiment_price")) return *missing;
    const std::string coin = param(r, "coin");
    if (coin.empty()) throw BadParameter{"coin is required, e.g. coin=BTC"};
    return query_json(fmt::format(
        "SELECT epoch_ms(hour) AS time, posts, sentiment, weighted_sentiment, positive_share, negative_share, log_return, volume "
        "FROM sentiment_price WHERE coin = upper({}){} ORDER BY hour DESC LIMIT {}",
        lake::sql_string(coin), time_filter(r, "hour"), limit_param(r, 24 * 30, 100'000)));
  }
  if (path == "/api/v1/quality") {
    if (auto missing = needs("dq_results")) return *missing;
    return query_json(fmt::format(
        "SELECT epoch_ms(\"at\") AS time, run_id, \"check\", table_name, \"partition\", status, severity, observed, threshold "
        "FROM dq_results WHERE run_id = (SELECT arg_max(run_id, \"at\") FROM dq_results) "
        "ORDER BY status = 'pass', table_name, \"check\", \"partition\" LIMIT {}", limit_param(r, 1000, 100'000)));
  }
  if (path == "/api/v1/gaps") {
    if (auto missing = needs("gaps")) return *missing;
    return query_json("SELECT source, symbol, interval, epoch_ms(gap_start) AS gap_start, epoch_ms(gap_end) AS gap_end, "
                      "missing_candles, class FROM gaps ORDER BY gap_start DESC");
  }
  // The simPod JSON data source contract (Grafana): / answers 200, /metrics lists the series,
  // /query returns [{"target", "datapoints": [[value, epoch ms], …]}], /variable the symbols.
  if (path == "/api/grafana" || path == "/api/grafana/") return {200, "application/json", "{\"status\":\"ok\"}\n", {}};
  if (path == "/api/grafana/metrics") {
    return {200, "application/json",
            R"([{"label":"close","value":"close"},{"label":"ma_5","value":"ma_5"},{"label":"ma_long","value":"ma_long"},)"
            R"({"label":"volume","value":"volume"},{"label":"rolling_std","value":"rolling_std"}])" "\n", {}};
  }
  if (path == "/api/grafana/variable") {
    if (auto missing = needs("agg_market_daily")) return *missing;
    return query_json("SELECT DISTINCT symbol AS __text, symbol AS __value FROM agg_market_daily ORDER BY 1");
  }
  if (path == "/api/grafana/query") {
    if (auto missing = needs("market_features")) return *missing;
    simdjson::dom::parser parser;
    simdjson::dom::element body;
    if (parser.parse(r.body).get(body)) throw BadParameter{"the body must be the JSON Grafana sends"};
    std::string_view from_text, to_text;
    if (body.at_pointer("/range/from").get_string().get(from_text) || body.at_pointer("/range/to").get_string().get(to_text)) {
      throw BadParameter{"range.from and range.to are required"};
    }
    const auto from = Timestamp::parse_iso(from_text), to = Timestamp::parse_iso(to_text);
    if (!from || !to) throw BadParameter{"range.from/range.to must be ISO-8601"};
    int64_t max_points = 1000;
    if (body["maxDataPoints"].get_int64().get(max_points) || max_points < 1) max_points = 1000;
    std::string out = "[";
    simdjson::dom::array targets;
    if (body["targets"].get_array().get(targets)) throw BadParameter{"targets must be an array"};
    for (simdjson::dom::element t : targets) {
      std::string_view metric, symbol_text = "BTC-USDT";
      if (t["target"].get_string().get(metric)) continue;
      if (t.at_pointer("/payload/symbol").get_string().get(symbol_text) != simdjson::SUCCESS) symbol_text = "BTC-USDT";
      static const std::set<std::string_view> kColumns = {"close", "ma_5", "ma_long", "volume", "rolling_std"};
      if (!kColumns.contains(metric)) throw BadParameter{fmt::format("target {}: not one of /api/grafana/metrics", metric)};
      auto symbol = core::Symbol::parse(symbol_text);
      if (!symbol) throw BadParameter{fmt::format("payload.symbol {}: {}", symbol_text, symbol.error().message)};
      auto session = query::SqlSession::attach(duckdb_, tables_);
      if (!session) return error(500, session.error().message);
      // Evenly thinned to maxDataPoints.
      auto rows = (*session)->run(fmt::format(
          "SELECT {0}, epoch_ms(open_time) FROM (SELECT *, row_number() OVER (ORDER BY open_time) AS n, count(*) OVER () AS total "
          "FROM market_features WHERE symbol = {1} AND open_time >= {2}::TIMESTAMPTZ AND open_time < {3}::TIMESTAMPTZ) "
          "WHERE n % greatest(1, total // {4}) = 0 ORDER BY open_time",
          lake::sql_identifier(metric), lake::sql_string(symbol->canonical()), from->sql_literal(), to->sql_literal(), max_points));
      if (!rows) return error(400, rows.error().message);
      out += fmt::format("{}{{\"target\":{},\"datapoints\":[", out.size() > 1 ? "," : "",
                         core::json_string(fmt::format("{} {}", symbol->canonical(), metric)));
      for (size_t i = 0; i < rows->rows.size(); ++i) {
        out += fmt::format("{}[{},{}]", i ? "," : "", rows->rows[i][0].value_or("null"), rows->rows[i][1].value_or("0"));
      }
      out += "]}";
    }
    return {200, "application/json", out + "]\n", {}};
  }
  if (path == "/api/v1/sql") {
    const std::string sql = param(r, "q", r.method == "POST" ? r.body : "");
    if (sql.empty()) throw BadParameter{"give the query as q=… (or as the POST body)"};
    return query_json(sql, options_.max_rows);
  }
  return error(404, fmt::format("no route {}; see /api/v1/tables and the README", path));
}

io::ServerResponse ApiRouter::metrics_text() {
  std::vector<Metrics::Sample> samples;
  Metrics::Sample rows{"cryptolake_table_rows", "Rows in each curated table.", "gauge", {}, ""};
  Metrics::Sample quarantined{"cryptolake_quarantine_objects", "Quarantine objects (one per raw batch with rejects), by source.", "gauge", {}, ""};
  auto session = query::SqlSession::attach(duckdb_, tables_);
  if (session) {
    for (const std::string& t : tables_) {
      if (auto n = (*session)->run(fmt::format("SELECT count(*) FROM {}", lake::sql_identifier(t)))) {
        rows.values.emplace_back(fmt::format("table=\"{}\"", t), std::stod(*n->rows[0][0]));
      }
    }
  }
  std::map<std::string, double> per_source;
  for (const std::string& key : store_.list(lake::layout::kQuarantine).value_or(std::vector<std::string>{})) {
    per_source[key.substr(11, key.find('/', 11) - 11)] += 1;
  }
  for (const auto& [source, n] : per_source) quarantined.values.emplace_back(fmt::format("source=\"{}\"", source), n);
  samples.push_back(std::move(rows));
  samples.push_back(std::move(quarantined));
  // From the run history the pipeline keeps: rows written and quarantined, stage durations,
  // and when each stage last succeeded.
  Metrics::Sample written{"cryptolake_rows_written_total", "Rows written by the transform stages, by table.", "counter", {}, ""};
  Metrics::Sample rejected{"cryptolake_records_quarantined_total", "Records sent to quarantine, by table.", "counter", {}, ""};
  Metrics::Sample last{"cryptolake_stage_last_success_timestamp_seconds", "When each stage last finished successfully.", "gauge", {}, ""};
  std::map<std::string, std::vector<double>> durations;
  std::map<std::string, std::array<double, 3>> per_stage;  // rows, quarantined, last finish
  const std::string history = store_.get(lake::layout::kStageRunsKey).value_or("");
  for (size_t pos = 0; pos < history.size();) {
    const size_t end = std::min(history.find('\n', pos), history.size());
    std::vector<std::string> f;
    const std::string line = history.substr(pos, end - pos);
    for (size_t start = 0; start <= line.size();) {
      const size_t tab = std::min(line.find('\t', start), line.size());
      f.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    pos = end + 1;
    if (f.size() != 6) continue;
    auto& stage = per_stage[f[1]];
    stage[0] += core::parse_decimal(f[4]).value_or(0);
    stage[1] += core::parse_decimal(f[5]).value_or(0);
    stage[2] = std::max(stage[2], core::parse_decimal(f[2]).value_or(0));
    durations[fmt::format("stage=\"{}\"", f[1])].push_back(core::parse_decimal(f[3]).value_or(0));
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
  // Rate-limit waits, as the collecting processes recorded them.
  Metrics::Sample waits{"cryptolake_rate_limit_waits_total", "Requests that waited for a rate-limit budget, by service.", "counter", {}, ""};
  Metrics::Sample waited{"cryptolake_rate_limit_wait_seconds_total", "Time spent waiting for rate-limit budgets, by service.", "counter", {}, ""};
  std::map<std::string, std::pair<double, double>> per_service;
  const std::string limits = store_.get(lake::layout::kRateLimitsKey).value_or("");
  for (size_t pos = 0; pos < limits.size();) {
    const size_t end = std::min(limits.find('\n', pos), limits.size());
    const std::string line = limits.substr(pos, end - pos);
    pos = end + 1;
    const size_t a = line.find('\t'), b = line.find('\t', a + 1), c = line.find('\t', b + 1);
    if (c == std::string::npos) continue;
    auto& totals = per_service[line.substr(0, a)];
    totals.first += core::parse_decimal(line.substr(a + 1, b - a - 1)).value_or(0);
    totals.second += core::parse_decimal(line.substr(b + 1, c - b - 1)).value_or(0);
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
