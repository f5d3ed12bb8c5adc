#include "serve/api_router.hpp"

#include <gtest/gtest.h>

#include <csignal>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <simdjson.h>

#include "io/real/curl_http_client.hpp"
#include "io/real/httplib_server.hpp"
#include "lake/local_object_store.hpp"
#include "query/sql_session.hpp"
#include "schedule/run_history.hpp"
#include "schedule/scheduler.hpp"
#include "serve/live_handlers.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::serve {
namespace {

// One small demo lake for every test here, made by the binary as a user would.
class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir;
    const auto demo = testing::run_cryptolake({"demo", "--lake", (dir_->path() / "lake").string(), "--days", "3", "--symbols", "2"});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    store_ = std::make_unique<lake::LocalObjectStore>(dir_->path() / "lake");
    duckdb_ = std::move(*lake::DuckDb::open({dir_->path() / "lake", 2, "1GB"}));
    router_ = std::move(*ApiRouter::create(*store_, *duckdb_, {}));
  }

  io::ServerResponse get(const std::string& path, std::map<std::string, std::string> params = {}) {
    return router_->handle({"GET", path, std::move(params), {}, ""});
  }

  // The same question through `cryptolake sql` (another process, another database).
  std::string sql_json(const std::string& query) {
    const auto result = testing::run_cryptolake({"sql", "--lake", (dir_->path() / "lake").string(), "--format", "json", query});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
  }

  static inline testing::TempDir* dir_ = nullptr;
  std::unique_ptr<lake::LocalObjectStore> store_;
  std::unique_ptr<lake::DuckDb> duckdb_;
  std::unique_ptr<ApiRouter> router_;
};

TEST_F(ApiTest, ValuesEqualWhatSqlReturnsForTheSameQuestion) {
  const auto ohlcv = get("/api/v1/ohlcv", {{"symbol", "BTCUSDT"}, {"from", "2024-01-02T00:00:00Z"}, {"to", "1704200400000"}, {"limit", "50"}});
  ASSERT_EQ(ohlcv.status, 200) << ohlcv.body;
  EXPECT_EQ(ohlcv.body, sql_json("SELECT epoch_ms(open_time) AS time, open, high, low, close, volume, quote_volume, trades FROM market_ohlcv "
                                 "WHERE symbol = 'BTC-USDT' AND interval = '1m' AND open_time >= '2024-01-02 00:00:00+00' "
                                 "AND open_time < '2024-01-02 13:00:00+00' ORDER BY open_time DESC LIMIT 50"));
  const auto volatility = get("/api/v1/volatility");
  ASSERT_EQ(volatility.status, 200);
  EXPECT_EQ(volatility.body, sql_json("SELECT symbol, avg(volatility) * sqrt(1440) AS daily_volatility, (max(max_price) - min(min_price)) / min(min_price) AS range_ratio "
                                      "FROM agg_market_daily GROUP BY symbol ORDER BY daily_volatility DESC LIMIT 10"));
  // Every endpoint against the same question asked through `sql`: an empty or wrong answer fails.
  const struct {
    const char* path;
    std::map<std::string, std::string> params;
    const char* sql;
  } same[] = {
      {"/api/v1/features", {{"symbol", "ETH-USDT"}, {"limit", "30"}},
       "SELECT epoch_ms(open_time) AS time, close, prev_close, pct_change, log_return, ma_5, ma_long, rolling_std FROM market_features "
       "WHERE symbol = 'ETH-USDT' AND interval = '1m' ORDER BY open_time DESC LIMIT 30"},
      {"/api/v1/aggregates", {{"symbol", "ETH-USDT"}, {"period", "hour"}, {"limit", "24"}},
       "SELECT epoch_ms(hour) AS time, symbol, min_price, max_price, mean_price, first_price, last_price, volume, volatility, candles "
       "FROM agg_market_hourly WHERE symbol = 'ETH-USDT' ORDER BY time DESC, symbol LIMIT 24"},
      {"/api/v1/sentiment", {}, "SELECT * EXCLUDE (dt) FROM sentiment_price_summary ORDER BY coin"},
      {"/api/v1/gaps", {},
       "SELECT source, symbol, interval, epoch_ms(gap_start) AS gap_start, epoch_ms(gap_end) AS gap_end, missing_candles, class "
       "FROM gaps ORDER BY gap_start DESC"},
      {"/api/v1/tables", {}, ""},
  };
  for (const auto& c : same) {
    const auto r = get(c.path, c.params);
    ASSERT_EQ(r.status, 200) << c.path << ": " << r.body;
    EXPECT_GT(r.body.size(), 10u) << c.path << " answered an empty array";
    if (*c.sql != '\0') {
      EXPECT_EQ(r.body, sql_json(c.sql)) << c.path;
    }
  }
  // /tables: each table with its row count, as counted through sql.
  simdjson::dom::parser parser;
  const auto tables = get("/api/v1/tables");
  const simdjson::padded_string tables_json(tables.body);
  for (simdjson::dom::object row : parser.parse(tables_json).get_array()) {
    const std::string table(row["table"].get_string().value());
    EXPECT_EQ(fmt::format("[\n {{\"n\": {}}}\n]\n", row["rows"].get_int64().value()), sql_json(fmt::format("SELECT count(*) AS n FROM {}", table)))
        << table;
  }
  EXPECT_EQ(get("/api/v1/quality").status, 200);
  EXPECT_NE(get("/").body.find("<title>cryptolake</title>"), std::string::npos);
}

// The per-symbol routes answer from an index of the in-memory copies (serve/series_index); a
// router holding nothing answers the same requests by SQL over the files, byte for byte.
TEST_F(ApiTest, PerSymbolRoutesAnswerFromMemoryTheBytesTheirSqlAnswers) {
  auto files_only_duckdb = std::move(*lake::DuckDb::open({dir_->path() / "lake", 2, "1GB"}));
  ServeOptions nothing_held;
  nothing_held.hot = {0, std::chrono::milliseconds(0)};
  auto files_only = std::move(*ApiRouter::create(*store_, *files_only_duckdb, nothing_held));
  const auto metrics = get("/metrics").body;
  EXPECT_NE(metrics.find("cryptolake_serve_indexed_rows{table=\"market_ohlcv\"} 8634"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("cryptolake_serve_indexed_rows{table=\"agg_market_hourly\"}"), std::string::npos);
  EXPECT_EQ(files_only->handle({"GET", "/metrics", {}, {}, ""}).body.find("cryptolake_serve_indexed_rows{"), std::string::npos);

  std::vector<std::pair<std::string, std::map<std::string, std::string>>> requests;
  const std::vector<std::map<std::string, std::string>> ranges = {
      {},
      {{"from", "2024-01-02T00:00:00Z"}},
      {{"to", "2024-01-02T13:00:00Z"}},
      {{"from", "1704153600000"}, {"to", "1704200400000"}},  // on candles' open times: from is in, to is out
      {{"from", "2024-01-02T05:30:00.5Z"}, {"to", "2024-01-02T05:40:59.999999Z"}},
      {{"from", "2024-01-03T00:00:00Z"}, {"to", "2024-01-02T00:00:00Z"}},  // empty
      {{"from", "2030-01-01T00:00:00Z"}},
  };
  for (const char* symbol : {"BTC-USDT", "ethusdt", "NOPE-USDT"}) {
    for (const auto& range : ranges) {
      for (const char* limit : {"1", "100", "100000"}) {
        auto params = range;
        params["symbol"] = symbol;
        params["limit"] = limit;
        requests.emplace_back("/api/v1/ohlcv", params);
        requests.emplace_back("/api/v1/features", params);
        for (const char* period : {"hour", "day", "month"}) {
          params["period"] = period;
          requests.emplace_back("/api/v1/aggregates", params);
        }
        params.erase("period");
        params["interval"] = "5m";  // none in the demo lake
        requests.emplace_back("/api/v1/ohlcv", params);
      }
    }
  }
  size_t rows = 0;
  for (const auto& [path, params] : requests) {
    const auto held = get(path, params);
    const auto read = files_only->handle({"GET", path, params, {}, ""});
    const std::string what = fmt::format("{} {}", path, fmt::join(params, " "));
    ASSERT_EQ(held.status, 200) << what << ": " << held.body;
    EXPECT_EQ(held.body, read.body) << what;
    EXPECT_EQ(held.headers, read.headers) << what;
    rows += static_cast<size_t>(std::ranges::count(held.body, '{'));
  }
  EXPECT_GT(rows, 20'000u);  // most requests found rows
  // Each answer above came from memory on one side, by SQL on the other.
  const auto counted = get("/metrics").body;
  EXPECT_NE(counted.find(fmt::format("cryptolake_serve_indexed_answers_total {}\n", requests.size())), std::string::npos) << counted;
  EXPECT_NE(files_only->handle({"GET", "/metrics", {}, {}, ""}).body.find("cryptolake_serve_indexed_answers_total 0\n"), std::string::npos);
}

TEST_F(ApiTest, SimPodJsonDatasourceContract) {
  EXPECT_EQ(get("/api/grafana/").status, 200);
  EXPECT_NE(router_->handle({"POST", "/api/grafana/metrics", {}, {}, "{}"}).body.find("\"value\":\"ma_5\""), std::string::npos);
  EXPECT_EQ(router_->handle({"POST", "/api/grafana/variable", {}, {}, "{}"}).body,
            "[\n {\"__text\": \"BTC-USDT\", \"__value\": \"BTC-USDT\"},\n {\"__text\": \"ETH-USDT\", \"__value\": \"ETH-USDT\"}\n]\n");
  const auto query = router_->handle({"POST", "/api/grafana/query", {}, {},
      R"({"range":{"from":"2024-01-01T00:00:00.000Z","to":"2024-01-01T01:00:00.000Z"},"maxDataPoints":60,)"
      R"("targets":[{"target":"close","payload":{"symbol":"ETHUSDT"}}]})"});
  ASSERT_EQ(query.status, 200) << query.body;
  EXPECT_TRUE(query.body.starts_with("[{\"target\":\"ETH-USDT close\",\"datapoints\":[[")) << query.body;
  // One point per minute of that hour, each the close `sql` finds for that minute.
  simdjson::dom::parser parser, sql_parser;
  const simdjson::padded_string answer(query.body);
  const simdjson::dom::array points = parser.parse(answer).at(0)["datapoints"].get_array();
  const simdjson::padded_string expected_json(sql_json(
      "SELECT close, epoch_ms(open_time) AS t FROM market_features WHERE symbol = 'ETH-USDT' "
      "AND open_time >= '2024-01-01 00:00:00+00' AND open_time < '2024-01-01 01:00:00+00' ORDER BY open_time"));
  const simdjson::dom::array expected = sql_parser.parse(expected_json).get_array();
  ASSERT_EQ(points.size(), 60u);
  ASSERT_EQ(expected.size(), 60u);
  for (size_t i = 0; i < 60; ++i) {
    EXPECT_DOUBLE_EQ(points.at(i).at(0).get_double().value(), expected.at(i)["close"].get_double().value()) << i;
    EXPECT_EQ(points.at(i).at(1).get_int64().value(), expected.at(i)["t"].get_int64().value()) << i;
  }
  EXPECT_EQ(router_->handle({"POST", "/api/grafana/query", {}, {}, "not json"}).status, 400);
}

TEST_F(ApiTest, BadParametersAreClear400s) {
  const struct {
    const char* path;
    std::map<std::string, std::string> params;
    const char* message;
  } cases[] = {
      {"/api/v1/ohlcv", {}, "symbol is required"},
      {"/api/v1/ohlcv", {{"symbol", "NOPE"}}, "symbol=NOPE"},
      {"/api/v1/ohlcv", {{"symbol", "BTC-USDT"}, {"from", "yesterday"}}, "from=yesterday: expected ISO-8601"},
      {"/api/v1/ohlcv", {{"symbol", "BTC-USDT"}, {"interval", "7x"}}, "interval=7x"},
      {"/api/v1/ohlcv", {{"symbol", "BTC-USDT"}, {"limit", "0"}}, "limit=0"},
      {"/api/v1/aggregates", {{"period", "week"}}, "period=week"},
      {"/api/v1/sql", {}, "give the query"},
  };
  for (const auto& c : cases) {
    const auto r = get(c.path, c.params);
    EXPECT_EQ(r.status, 400) << c.path;
    EXPECT_NE(r.body.find(c.message), std::string::npos) << r.body;
  }
  EXPECT_EQ(get("/api/v1/nothing").status, 404);
}

TEST_F(ApiTest, SqlRefusesTheAttackList) {
  for (const char* attack : {"CREATE TABLE x AS SELECT 1", "INSERT INTO market_ohlcv SELECT * FROM market_ohlcv",
                             "COPY market_ohlcv TO '/tmp/stolen.csv'", "ATTACH '/tmp/x.db' AS x", "INSTALL httpfs", "LOAD httpfs",
                             "SET enable_external_access = true", "SELECT * FROM read_csv('/etc/passwd')",
                             "SELECT * FROM read_text('/etc/hostname')", "SELECT * FROM read_parquet('/tmp/*.parquet')",
                             "SELECT 1; DROP VIEW market_ohlcv", "PRAGMA version", "CALL pragma_version()"}) {
    const auto r = get("/api/v1/sql", {{"q", attack}});
    EXPECT_EQ(r.status, 400) << attack << " → " << r.body;
  }
  const auto fine = get("/api/v1/sql", {{"q", "SELECT count(*) AS n FROM market_ohlcv"}});
  EXPECT_EQ(fine.status, 200);
  const auto limited = router_->handle({"GET", "/api/v1/sql", {{"q", "SELECT * FROM range(20000)"}}, {}, ""});
  EXPECT_EQ(limited.status, 200);
  EXPECT_EQ(std::count(limited.body.begin(), limited.body.end(), '{'), 10'000);  // the row limit
}

// Every URL the shipped Grafana dashboard asks for answers, with rows, on the demo lake.
TEST_F(ApiTest, TheShippedGrafanaDashboardsUrlsAnswer) {
  const simdjson::padded_string json(testing::read_file(CRYPTOLAKE_GRAFANA_DASHBOARD));
  simdjson::dom::parser parser;
  const simdjson::dom::element dashboard = parser.parse(json);
  std::vector<std::string> urls;
  for (simdjson::dom::element panel : dashboard["panels"].get_array()) {
    for (simdjson::dom::element t : panel["targets"].get_array()) urls.emplace_back(std::string_view(t["url"].get_string()));
  }
  urls.emplace_back(std::string_view(dashboard.at_pointer("/templating/list/0/query/url").get_string()));
  ASSERT_EQ(urls.size(), 6u);
  for (std::string url : urls) {
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"$symbol", "BTC-USDT"}, {"${__from}", "1704067200000"}, {"${__to}", "1704326400000"}}) {
      for (size_t at; (at = url.find(from)) != std::string::npos;) url.replace(at, from.size(), to);
    }
    const std::string rest = url.substr(url.find("/", 8));
    const std::string path = rest.substr(0, rest.find('?'));
    std::map<std::string, std::string> params;
    if (rest.find('?') != std::string::npos) {
      std::string query = rest.substr(rest.find('?') + 1);
      for (size_t start = 0; start <= query.size();) {
        const size_t end = std::min(query.find('&', start), query.size());
        const std::string pair = query.substr(start, end - start);
        std::string value = pair.substr(pair.find('=') + 1);
        for (size_t at; (at = value.find('%')) != std::string::npos;) {
          value.replace(at, 3, std::string(1, static_cast<char>(std::stoi(value.substr(at + 1, 2), nullptr, 16))));
        }
        params[pair.substr(0, pair.find('='))] = value;
        start = end + 1;
      }
    }
    const auto r = get(path, params);
    EXPECT_EQ(r.status, 200) << url << ": " << r.body;
    EXPECT_NE(r.body, "[]\n") << url;
  }
}

TEST_F(ApiTest, TokenRuleAndMetricsOverARealServer) {
  auto guarded = std::move(*ApiRouter::create(*store_, *duckdb_, {.token = "s3cret"}));
  io::HttplibServer server;
  ASSERT_TRUE(server.bind("127.0.0.1", 0));
  std::jthread listening([&] { server.listen([&](const io::ServerRequest& r) { return guarded->handle(r); }); });
  io::CurlHttpClient http;
  io::HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(server.bound_port()) + "/api/v1/tables";
  auto denied = http.send(request);
  for (int i = 0; i < 50 && !denied; ++i) {  // the server may still be starting
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    denied = http.send(request);
  }
  ASSERT_TRUE(denied) << denied.error().message;
  EXPECT_EQ(denied->status, 401);
  request.headers = {{"Authorization", "Bearer s3cre7"}};  // same length, one byte off
  auto wrong = http.send(request);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  request.headers = {{"Authorization", "Bearer s3cret and more"}};
  EXPECT_EQ(http.send(request)->status, 401);
  request.headers = {{"Authorization", "Bearer s3cret"}};
  auto allowed = http.send(request);
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);
  request.url = "http://127.0.0.1:" + std::to_string(server.bound_port()) + "/metrics";
  auto metrics = http.send(request);
  server.stop();
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics->body.find("# TYPE cryptolake_http_requests_total counter"), std::string::npos);
  EXPECT_NE(metrics->body.find("cryptolake_http_requests_total{route=\"/api/v1/tables\",code=\"401\"} 3"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("cryptolake_http_request_duration_seconds_bucket{route=\"/api/v1/tables\",le=\"+Inf\"} 4"), std::string::npos);
  EXPECT_NE(metrics->body.find("cryptolake_table_rows{table=\"market_ohlcv\"} 8634"), std::string::npos) << metrics->body;
  // From the demo's run history: one run of each stage.
  EXPECT_NE(metrics->body.find("cryptolake_stage_duration_seconds_count{stage=\"market_ohlcv\"} 1"), std::string::npos);
  EXPECT_NE(metrics->body.find("cryptolake_rows_written_total{table=\"market_ohlcv\"} 8634"), std::string::npos);
  EXPECT_NE(metrics->body.find("# TYPE cryptolake_rate_limit_waits_total counter"), std::string::npos);

  const auto open = testing::run_cryptolake({"serve", "--lake", (dir_->path() / "lake").string(), "--listen", "0.0.0.0"});
  EXPECT_EQ(open.exit_code, 1);
  EXPECT_NE(open.err.find("give a token"), std::string::npos) << open.err;
}

TEST_F(ApiTest, ATokenOfTheRightLengthButWrongBytesIsRefused) {
  auto guarded = std::move(*ApiRouter::create(*store_, *duckdb_, {.token = "s3cret"}));
  for (const char* given : {"Bearer s3creT", "Bearer s3cret ", "Bearer ", "s3cret", "Bearer s3cre"}) {
    EXPECT_EQ(guarded->handle({"GET", "/api/v1/tables", {}, {{"authorization", given}}, ""}).status, 401) << given;
  }
  EXPECT_EQ(guarded->handle({"GET", "/api/v1/tables", {}, {{"authorization", "Bearer s3cret"}}, ""}).status, 200);
}

// `serve` as a user starts it: the first line it prints, then SIGINT after a moment.
// What `serve` prints until it is serving (then it is interrupted) or it exits with an error. It
// waits for the banner, not a fixed time: under the sanitizers on a busy machine, start-up took
// longer than the 2 s this used to allow.
std::string serve_banner(const std::string& args) {
  // The shell prints its pid, then becomes `timeout` (which hands a SIGINT on to serve).
  const std::string command = fmt::format("echo $$; exec timeout -s INT 60 {} serve {} 2>&1", CRYPTOLAKE_BINARY, args);
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[512];
    const int pid = std::fgets(buffer, sizeof(buffer), pipe) ? std::atoi(buffer) : 0;
    while (std::fgets(buffer, sizeof(buffer), pipe)) {
      out += buffer;
      if (out.find("serving ") != std::string::npos && pid > 0) ::kill(pid, SIGINT);
    }
    ::pclose(pipe);
  }
  return out;
}

TEST(ServeToken, FromAFileOrTheEnvironmentNeverBlankAndTheBannerShowsTheRealAddress) {
  testing::TempDir dir;
  const std::string lake = (dir.path() / "lake").string();
  const std::string token_file = (dir.path() / "token").string();
  {
    std::ofstream(token_file) << "0123456789abcdef\n";
    std::ofstream(dir.path() / "blank") << "   \n";
  }
  const std::string from_file = serve_banner(fmt::format("--lake {} --listen 0.0.0.0 --port 0 --token-file {}", lake, token_file));
  EXPECT_NE(from_file.find("on http://0.0.0.0:"), std::string::npos) << from_file;
  EXPECT_NE(from_file.find("(every interface)"), std::string::npos) << from_file;
  EXPECT_EQ(from_file.find("0123456789abcdef"), std::string::npos) << "the banner must not print the token";

  const std::string blank = serve_banner(fmt::format("--lake {} --port 0 --token-file {}/blank", lake, dir.path().string()));
  EXPECT_NE(blank.find("error: --token-file is blank"), std::string::npos) << blank;
  const std::string blank_flag = serve_banner(fmt::format("--lake {} --port 0 --token ''", lake));
  EXPECT_NE(blank_flag.find("error: --token is blank"), std::string::npos) << blank_flag;

  ::setenv("CRYPTOLAKE_TOKEN", "from-the-environment", 1);
  const std::string from_env = serve_banner(fmt::format("--lake {} --listen 0.0.0.0 --port 0", lake));
  ::setenv("CRYPTOLAKE_TOKEN", " ", 1);
  const std::string blank_env = serve_banner(fmt::format("--lake {} --port 0", lake));
  ::unsetenv("CRYPTOLAKE_TOKEN");
  EXPECT_NE(from_env.find("on http://0.0.0.0:"), std::string::npos) << from_env;
  EXPECT_NE(blank_env.find("error: CRYPTOLAKE_TOKEN is blank"), std::string::npos) << blank_env;
  const std::string loopback = serve_banner(fmt::format("--lake {} --port 0", lake));
  EXPECT_NE(loopback.find("on http://127.0.0.1:"), std::string::npos) << loopback;
}

}  // namespace
}  // namespace cryptolake::serve

namespace cryptolake::serve {
namespace {

// A query that would run for minutes is stopped at the serve time limit and answered 408; the
// router goes on answering.
TEST_F(ApiTest, AQueryPastTheTimeLimitIsStoppedWith408) {
  ServeOptions options;
  options.sql_timeout_ms = 200;
  options.cache_ms = 0;
  auto duckdb = std::move(*lake::DuckDb::open({dir_->path() / "lake", 2, "1GB"}));
  auto router = std::move(*ApiRouter::create(*store_, *duckdb, options));
  const auto started = std::chrono::steady_clock::now();
  const auto slow = router->handle({"GET", "/api/v1/sql", {{"q", "SELECT count(*) FROM range(1000000000000) a"}}, {}, ""});
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(slow.status, 408) << slow.body;
  EXPECT_LT(took, std::chrono::seconds(20));
  EXPECT_EQ(router->handle({"GET", "/api/v1/sql", {{"q", "SELECT 42 AS answer"}}, {}, ""}).body, "[\n {\"answer\": 42}\n]\n");
}

}  // namespace
}  // namespace cryptolake::serve

namespace cryptolake::serve {
namespace {

// /api/v1/live over a feed: the newest snapshot as JSON, or as events — the current one at once,
// each newer one as it is published, an end once the feed closes; at most kMaxLiveStreams open.
TEST_F(ApiTest, LiveEventsCarryEachSnapshotAndEndWhenTheFeedCloses) {
  EXPECT_EQ(get("/api/v1/live").status, 404) << "no --live: says how to get it";
  LiveFeed feed;
  ServeOptions options;
  options.live = &feed;
  auto live = std::move(*ApiRouter::create(*store_, *duckdb_, options));
  const auto ask = [&](std::map<std::string, std::string> params) { return live->handle({"GET", "/api/v1/live", std::move(params), {}, ""}); };
  EXPECT_EQ(ask({{"format", "json"}}).body, "{\"series\":[]}\n") << "nothing published yet";
  feed.publish(R"({"series":[1]})");
  EXPECT_EQ(ask({{"format", "json"}}).body, "{\"series\":[1]}\n");
  EXPECT_EQ(ask({{"format", "xml"}}).status, 400);

  io::ServerResponse events = ask({});
  ASSERT_EQ(events.status, 200);
  EXPECT_EQ(events.content_type, "text/event-stream");
  ASSERT_TRUE(events.stream);
  std::string received;
  const io::BodyWriter write = [&](std::string_view part) { received += part; return true; };
  EXPECT_TRUE(events.stream(write));
  EXPECT_EQ(received, "retry: 2000\n\nid: 1\nevent: snapshot\ndata: {\"series\":[1]}\n\n");
  received.clear();
  std::jthread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    feed.publish(R"({"series":[2]})");
  });
  EXPECT_TRUE(events.stream(write)) << "waits for the next snapshot";
  EXPECT_EQ(received, "id: 2\nevent: snapshot\ndata: {\"series\":[2]}\n\n");
  EXPECT_FALSE(events.stream([](std::string_view) { return false; })) << "a client gone ends it";

  // Each open stream holds a server thread: the ninth is refused until one ends.
  std::vector<io::ServerResponse> open;
  open.push_back(std::move(events));
  while (open.size() < static_cast<size_t>(kMaxLiveStreams)) open.push_back(ask({}));
  EXPECT_EQ(ask({}).status, 503);
  open.pop_back();
  const io::ServerResponse again = ask({});
  EXPECT_EQ(again.status, 200);
  feed.close();
  received.clear();
  EXPECT_TRUE(again.stream(write));
  EXPECT_FALSE(again.stream(write)) << "the server is stopping";
}

// The scheduler's runs: /metrics per task and /api/v1/runs, from the run history.
TEST_F(ApiTest, TaskRunsReachMetricsAndTheRunsEndpoint) {
  using schedule::TaskRun;
  using schedule::TaskState;
  schedule::RunHistory history(*store_);
  const core::Timestamp h0 = *core::Timestamp::parse_iso("2026-05-01T00:00:00Z");
  constexpr int64_t kHour = core::Timestamp::kMicrosPerHour, kSecond = core::Timestamp::kMicrosPerSecond;
  const auto run = [&](std::string task, int hour, TaskState state, int attempt, int64_t seconds, std::string error = {}) {
    const core::Timestamp start = h0 + hour * kHour, began = start + kHour + 5 * kSecond;
    return TaskRun{schedule::task_run_id(task, start), task, start, start + kHour, state, attempt, began, began + seconds * kSecond,
                   std::nullopt, std::nullopt, std::move(error)};
  };
  ASSERT_TRUE(history.record(run("etl", 0, TaskState::success, 1, 4)));
  ASSERT_TRUE(history.record(run("etl", 1, TaskState::retrying, 1, 2, "exit 1")));
  ASSERT_TRUE(history.record(run("etl", 1, TaskState::failed, 2, 2, "exit 1: error: <disk full>")));
  ASSERT_TRUE(history.record(run("ingest", 0, TaskState::success, 1, 30)));
  ASSERT_TRUE(history.record(run("ingest", 60, TaskState::running, 1, 0)));  // 2.5 days later

  const std::string metrics = get("/metrics").body;
  const int64_t etl_success = (h0 + kHour + 9 * kSecond).micros() / kSecond;
  EXPECT_NE(metrics.find(fmt::format("cryptolake_task_last_success_timestamp_seconds{{task=\"etl\"}} {}\n", etl_success)), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("cryptolake_task_failures_total{task=\"etl\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("cryptolake_task_failures_total{task=\"ingest\"} 0\n"), std::string::npos);
  EXPECT_NE(metrics.find("cryptolake_task_attempts_total{task=\"etl\",state=\"retrying\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("cryptolake_task_duration_seconds_count{task=\"etl\"} 3\n"), std::string::npos);
  EXPECT_NE(metrics.find("cryptolake_task_duration_seconds_sum{task=\"etl\"} 8\n"), std::string::npos);
  EXPECT_NE(metrics.find("cryptolake_task_duration_seconds_count{task=\"ingest\"} 1\n"), std::string::npos);  // the running one is not done

  // By default the 48 hours up to the newest run: only ingest's running one.
  simdjson::dom::parser parser;
  const std::string newest = get("/api/v1/runs").body;
  simdjson::dom::array rows = parser.parse(newest).get_array();
  ASSERT_EQ(rows.size(), 1u) << newest;
  EXPECT_EQ(std::string_view(rows.at(0)["state"]), "running");
  const std::string all = get("/api/v1/runs", {{"from", "2026-05-01T00:00:00Z"}, {"task", "etl"}}).body;
  rows = parser.parse(all).get_array();
  ASSERT_EQ(rows.size(), 3u) << all;
  EXPECT_EQ(std::string_view(rows.at(2)["error"]), "exit 1: error: <disk full>");
  EXPECT_EQ(int64_t(rows.at(2)["interval_start"]), (h0 + kHour).micros() / 1000);
  EXPECT_EQ(int64_t(rows.at(2)["attempt"]), 2);
  EXPECT_EQ(get("/api/v1/runs", {{"from", "soon"}}).status, 400);
}

TEST_F(ApiTest, AlertsAreTheNewestRowsOfTheAlertsTableOrNone) {
  const auto tables = get("/api/v1/tables").body;
  const auto alerts = get("/api/v1/alerts", {{"limit", "5"}});
  ASSERT_EQ(alerts.status, 200);
  if (tables.find("\"alerts\"") == std::string::npos) {
    EXPECT_EQ(alerts.body, "[]\n") << "a lake without rules has no alerts, which is not an error";
  } else {
    EXPECT_EQ(alerts.body, sql_json("SELECT epoch_ms(alert_time) AS time, rule, kind, source, symbol, value, threshold, message FROM alerts "
                                    "ORDER BY alert_time DESC, rule, symbol LIMIT 5"));
  }
  EXPECT_EQ(get("/api/v1/alerts", {{"limit", "0"}}).status, 400);
}

}  // namespace
}  // namespace cryptolake::serve
