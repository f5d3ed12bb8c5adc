// Read-only SQL as an attacker meets it: every query of the table below, through `cryptolake sql`
// and over HTTP against a real server, is refused or cut; afterwards every curated file is
// byte-identical, every view answers as before, and the loopback "internet" got no request.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "io/real/curl_http_client.hpp"
#include "io/real/httplib_server.hpp"
#include "lake/local_object_store.hpp"
#include "query/sql_session.hpp"
#include "serve/api_router.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::serve {
namespace {

namespace fs = std::filesystem;

enum class Expect { refused, truncated };

struct Attack {
  Attack(std::string text, Expect expected = Expect::refused, std::string why = {})
      : sql(std::move(text)), expect(expected), reason(std::move(why)) {}
  std::string sql;
  Expect expect;
  std::string reason;  // when refused: words the refusal must carry
};

// {lake} is the lake's root, {url} the loopback server's, {outside} a folder beside the lake
// holding real files (a query that fails only because its target is missing proves nothing).
std::vector<Attack> attacks() {
  return {
      {"EXPLAIN ANALYZE COPY (SELECT 1 AS x) TO '{part}'"},
      {"EXPLAIN ANALYZE CREATE OR REPLACE VIEW market_ohlcv AS SELECT 1 AS x"},
      {"EXPLAIN ANALYZE DROP VIEW market_ohlcv"},
      {"explain /* hidden */ analyse CREATE TABLE kept AS SELECT 1"},
      {"EXPLAIN (ANALYZE) SELECT 1"},
      {"EXPLAIN ANALYZE CREATE MACRO evil(x) AS x"},
      {"EXPLAIN ANALYZE INSTALL httpfs FROM '{url}'"},
      {"INSTALL httpfs FROM '{url}'"},
      {"EXPLAIN COPY (SELECT 1) TO '{lake}/x.csv'"},
      {"CREATE OR REPLACE VIEW market_ohlcv AS SELECT 1 AS x"},
      {"DROP VIEW market_ohlcv"},
      {"CREATE TABLE kept AS SELECT 1"},
      {"CREATE MACRO evil(x) AS x"},
      {"COPY (SELECT 1 AS x) TO '{part}'"},
      {"COPY market_ohlcv FROM '{lake}/raw'"},
      {"ATTACH '{lake}/evil.duckdb' AS evil"},
      {"ATTACH '{url}/x.duckdb' AS remote"},
      {"SELECT * FROM read_csv('/etc/passwd')"},
      {"SELECT * FROM read_text('/etc/hostname')"},
      {"SELECT * FROM read_parquet('{url}/x.parquet')"},
      {"SELECT * FROM read_parquet('{outside}/secret.parquet')", Expect::refused, "Cannot access file"},
      {"SELECT * FROM read_parquet('{outside}/*.parquet')", Expect::refused, "Cannot access file"},
      {"SELECT * FROM read_csv('{outside}/secret.csv')", Expect::refused, "Cannot access file"},
      {"SELECT * FROM read_text('{outside}/secret.csv')", Expect::refused, "Cannot access file"},
      {"SELECT * FROM glob('/etc/*')"},
      {"PRAGMA enable_profiling"},
      {"SET enable_external_access = true"},
      {"RESET lock_configuration"},
      {"SET VARIABLE x = 1"},
      {"CREATE SECRET s (TYPE s3, KEY_ID 'k', SECRET 's')"},
      {"EXPORT DATABASE '{lake}/exported'"},
      {"LOAD httpfs"},
      {"CALL pragma_version()"},
      {"SELECT 1; SELECT * FROM range(50000000)"},
      {"SELECT 1; DROP VIEW market_ohlcv"},
      {"SELECT * FROM query('CREATE TABLE kept AS SELECT 1')"},
      {"SELECT 1) AS q; DROP VIEW market_ohlcv; SELECT (1"},
      {"SELECT repeat('x', 40000000) AS huge", Expect::truncated},
      {"SELECT repeat('x', 1000) AS row FROM range(100000)", Expect::truncated},
  };
}

std::string expand(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [name, value] : values) {
    for (size_t at; (at = text.find(name)) != std::string::npos;) text.replace(at, name.size(), value);
  }
  return text;
}

std::map<std::string, std::string> files_under(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files[entry.path().string()] = testing::read_file(entry.path().string());
  }
  return files;
}

TEST(SqlAttacks, NothingInTheTableChangesTheLakeTheViewsOrReachesTheNetwork) {
  testing::TempDir dir;
  const std::string lake = (dir.path() / "lake").string();
  const auto demo = testing::run_cryptolake({"demo", "--lake", lake, "--days", "2", "--symbols", "2"});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  // A small answer budget makes the truncation visible without moving 16 MB around.
  {
    std::ofstream config(dir.path() / "cryptolake.toml");
    config << "[sql]\nmax_answer_bytes = 1048576\n";
  }
  const std::string config = (dir.path() / "cryptolake.toml").string();
  testing::LoopbackServer internet;
  std::string part;
  for (const auto& [path, bytes] : files_under(fs::path(lake) / "curated" / "market_ohlcv")) part = path;
  ASSERT_FALSE(part.empty());
  const fs::path outside = dir.path() / "outside";
  fs::create_directories(outside);
  std::ofstream(outside / "secret.csv") << "secret,value\nkey,42\n";
  const std::map<std::string, std::string> values = {
      {"{lake}", lake}, {"{url}", internet.base_url()}, {"{part}", part}, {"{outside}", outside.string()}};

  lake::LocalObjectStore store{fs::path(lake)};
  auto duckdb = std::move(*lake::DuckDb::open({fs::path(lake), 2, "1GB"}));
  {
    auto connection = duckdb->connect();  // before the router locks the settings
    ASSERT_TRUE(connection);
    ASSERT_TRUE(connection->execute(fmt::format("COPY (SELECT 42 AS answer) TO '{}'", (outside / "secret.parquet").string())));
  }
  ASSERT_TRUE(fs::exists(outside / "secret.parquet"));
  ServeOptions options;
  options.max_bytes = 1 << 20;
  options.cache_ms = 0;
  auto router = std::move(*ApiRouter::create(store, *duckdb, options));
  io::HttplibServer server;
  ASSERT_TRUE(server.bind("127.0.0.1", 0));
  std::jthread listening([&] { server.listen([&](const io::ServerRequest& r) { return router->handle(r); }); });
  io::CurlHttpClient http;
  const auto ask = [&](const std::string& sql) {
    io::HttpRequest request;
    request.url = fmt::format("http://127.0.0.1:{}/api/v1/sql?q={}", server.bound_port(), io::url_encode(sql));
    auto response = http.send(request);
    for (int i = 0; i < 50 && !response; ++i) {  // the server may still be starting
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      response = http.send(request);
    }
    return response;
  };

  const auto curated_before = files_under(fs::path(lake) / "curated");
  // The only tables are serve's in-memory copies of the lake's (schema hot), the same after.
  const std::string tables_sql = "SELECT schema_name, count(*) AS n FROM duckdb_tables() GROUP BY ALL ORDER BY ALL";
  const std::string tables_before = ask(tables_sql)->body;
  EXPECT_NE(tables_before.find("\"schema_name\": \"hot\""), std::string::npos) << tables_before;
  EXPECT_EQ(tables_before.find("\"main\""), std::string::npos) << tables_before;
  std::map<std::string, std::string> views_before;
  for (const std::string table : {"market_ohlcv", "market_features", "posts", "dim_coin", "agg_market_daily"}) views_before[table] = ask(fmt::format("SELECT * FROM {} ORDER BY ALL", table))->body;

  for (const Attack& attack : attacks()) {
    const std::string sql = expand(attack.sql, values);
    const auto cli = testing::run_cryptolake({"sql", "--lake", lake, "--config", config, "--format", "csv", sql});
    const auto web = ask(sql);
    ASSERT_TRUE(web) << web.error().message;
    if (attack.expect == Expect::refused) {
      EXPECT_EQ(cli.exit_code, 1) << sql << "\n" << cli.out.substr(0, 200);
      EXPECT_TRUE(cli.err.starts_with("error: ")) << sql << ": " << cli.err;
      EXPECT_EQ(web->status, 400) << sql << " → " << web->body.substr(0, 200);
      EXPECT_TRUE(web->body.starts_with("{\"error\":")) << sql;
      if (!attack.reason.empty()) {
        EXPECT_NE(cli.err.find(attack.reason), std::string::npos) << sql << ": " << cli.err;
        EXPECT_NE(web->body.find(attack.reason), std::string::npos) << sql << ": " << web->body;
      }
    } else {
      EXPECT_EQ(cli.exit_code, 0) << sql << ": " << cli.err;
      EXPECT_NE(cli.err.find("truncated"), std::string::npos) << sql;
      EXPECT_LE(cli.out.size(), 1u << 20) << sql;
      EXPECT_EQ(web->status, 200) << sql;
      EXPECT_EQ(web->header("x-cryptolake-truncated"), "true") << sql;
      EXPECT_LE(web->body.size(), (1u << 20) * 101 / 100) << sql;  // the budget counts cells, JSON adds a little
    }
  }

  EXPECT_TRUE(internet.requests().empty()) << internet.requests().front().path;
  EXPECT_FALSE(fs::exists(fs::path(lake) / "x.csv"));
  EXPECT_FALSE(fs::exists(fs::path(lake) / "exported"));
  EXPECT_FALSE(fs::exists(fs::path(lake) / "evil.duckdb"));
  EXPECT_TRUE(files_under(fs::path(lake) / "curated") == curated_before) << "a curated file changed";
  for (const auto& [table, body] : views_before) EXPECT_EQ(ask(fmt::format("SELECT * FROM {} ORDER BY ALL", table))->body, body) << table;
  EXPECT_EQ(ask(tables_sql)->body, tables_before);
  EXPECT_EQ(ask("SELECT count(*) AS n FROM duckdb_functions() WHERE function_name = 'evil'")->body, "[\n {\"n\": 0}\n]\n");
  server.stop();
}

TEST(SqlAttacks, ExplainedStatementIsFoundPastCommentsAndRefusedForAnalyze) {
  EXPECT_EQ(cryptolake::query::explained_statement("EXPLAIN SELECT 1"), "SELECT 1");
  EXPECT_EQ(cryptolake::query::explained_statement("  /* a /* nested */ b */ explain -- c\n select 2"), "select 2");
  EXPECT_EQ(cryptolake::query::explained_statement("EXPLAIN ANALYZE SELECT 1"), std::nullopt);
  EXPECT_EQ(cryptolake::query::explained_statement("explain/**/analyse SELECT 1"), std::nullopt);
  EXPECT_EQ(cryptolake::query::explained_statement("EXPLAIN (FORMAT json) SELECT 1"), std::nullopt);
  EXPECT_EQ(cryptolake::query::explained_statement("SELECT 1"), std::nullopt);
}

}  // namespace
}  // namespace cryptolake::serve
