// `cryptolake ingest coingecko|coincap|rates` against a loopback server replaying the recorded
// responses, exactly as against the real services.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "e2e/lake_queries.hpp"
#include "support/fixtures.hpp"
#include "support/loopback_server.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::testing {
namespace {

LoopbackServer::Handler replay(const std::string& fixture) {
  const std::string body = read_fixture(fixture);
  return [body](const LoopbackRequest&) { return LoopbackReply{200, body, "application/json", {}, 0}; };
}

TEST(IngestServices, CoinGeckoMarketChartBecomesCoinStats) {
  TempDir dir;
  LoopbackServer server;
  server.route("/coins/bitcoin/market_chart", replay("coingecko_market_chart_bitcoin_hourly_2023-10.json"));
  server.script("/coins/bitcoin/market_chart", {{429, R"({"status":{"error_code":429}})", "application/json", {{"Retry-After", "1"}}, 0}});
  const std::string lake = (dir.path() / "lake").string();
  const ProcessResult run = run_cryptolake({"ingest", "coingecko", "--lake", lake, "--coins", "bitcoin", "--days", "7",
                                            "--base-url", server.base_url()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("rate limit hit (HTTP 429)"), std::string::npos) << run.err;
  EXPECT_EQ(sql_rows(lake, "SELECT coin, vs_currency, count(*), count(market_cap) FROM coin_stats GROUP BY ALL"),
            (std::vector<std::vector<std::string>>{{"bitcoin", "usd", "169", "169"}}));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);  // the 429, then the retry after Retry-After
  EXPECT_EQ(requests[1].params.at("days"), "7");
}

TEST(IngestServices, CoinCapAssetsAndHistoryBecomeTicks) {
  TempDir dir;
  LoopbackServer server;
  server.route("/assets/bitcoin/history", replay("coincap_v2_assets_ark_history_h1_2020-11-23.json"));
  server.route("/assets/ethereum/history", [](const LoopbackRequest&) {
    return LoopbackReply{200, R"({"data":[{"priceUsd":null,"time":1606089600000}],"timestamp":1606260000000})", "application/json", {}, 0};
  });
  // The recorded top-100 answer, cut to the two ids asked for.
  server.route("/assets", [body = read_fixture("coincap_v2_assets_top100_2024-05-17.json")](const LoopbackRequest& r) {
    EXPECT_EQ(r.params.at("ids"), "bitcoin,ethereum");
    const size_t third = body.find("\"id\": \"tether\"");
    std::string two = body.substr(0, body.rfind('{', third));
    two = two.substr(0, two.rfind(',')) + "\n  ],\n  \"timestamp\": 1715984891711\n}";
    return LoopbackReply{200, two, "application/json", {}, 0};
  });
  const std::string lake = (dir.path() / "lake").string();
  const ProcessResult run = run_cryptolake({"ingest", "coincap", "--lake", lake, "--assets", "bitcoin,ethereum", "--history",
                                            "--base-url", server.base_url()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(sql_rows(lake, "SELECT symbol, count(*) FROM market_ticks WHERE source = 'coincap' GROUP BY ALL ORDER BY 1"),
            (std::vector<std::vector<std::string>>{{"BTC-USD", "25"}, {"ETH-USD", "1"}}));
  // The null price of the ethereum history point is quarantined, not dropped silently.
  EXPECT_EQ(quarantine_reasons(lake, "coincap", "asset_history"), (std::vector<std::string>{"priceUsd is not a positive decimal"}));
}

// Quarantine is evidence: building dim_coin re-reads the same CoinCap batches, and neither it nor
// a second etl may erase what market_ticks rejected.
TEST(IngestServices, AMalformedCoinCapAssetStaysInQuarantineAcrossEtlRuns) {
  TempDir dir;
  LoopbackServer server;
  server.route("/assets", [](const LoopbackRequest&) {
    return LoopbackReply{200,
                         R"({"data":[{"id":"bitcoin","symbol":"BTC","name":"Bitcoin","priceUsd":"67000.5"},)"
                         R"({"id":"ethereum","symbol":"ETH","name":"Ethereum","priceUsd":"not-a-price"}],"timestamp":1715984891711})",
                         "application/json", {}, 0};
  });
  const std::filesystem::path lake = dir.path() / "lake";
  const ProcessResult run = run_cryptolake({"ingest", "coincap", "--lake", lake.string(), "--assets", "bitcoin,ethereum",
                                            "--base-url", server.base_url(), "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto quarantined = [&] {
    std::map<std::string, std::string> objects;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(lake / "quarantine")) {
      if (entry.is_regular_file()) objects[entry.path().lexically_relative(lake).string()] = read_file(entry.path().string());
    }
    return objects;
  };
  const auto before = quarantined();
  ASSERT_EQ(before.size(), 1u);
  EXPECT_NE(before.begin()->first.find("quarantine/coincap/assets/"), std::string::npos) << before.begin()->first;
  EXPECT_NE(before.begin()->first.find("/stage=market_ticks/"), std::string::npos) << before.begin()->first;
  const auto records = sql_rows(lake, fmt::format("SELECT reason FROM read_json('{}/{}', format = 'newline_delimited')",
                                                  lake.string(), before.begin()->first));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_NE(records[0][0].find("priceUsd is not a positive decimal"), std::string::npos) << records[0][0];
  EXPECT_EQ(sql_rows(lake, "SELECT count(*) FROM market_ticks WHERE source = 'coincap'"), (std::vector<std::vector<std::string>>{{"1"}}));

  const ProcessResult again = run_cryptolake({"etl", "--lake", lake.string(), "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find(R"("table":"market_ticks","records_in")"), std::string::npos) << again.out;
  // Counted again by the run that re-read it (the count /metrics reports), and still there.
  const size_t ticks = again.out.find(R"("table":"market_ticks")");
  const std::string stage = again.out.substr(ticks, again.out.find('}', ticks) - ticks);
  EXPECT_NE(stage.find(R"("quarantined":1,)"), std::string::npos) << stage;
  EXPECT_EQ(quarantined(), before);
}

TEST(IngestServices, RatesFromCoinbaseAndABpiMirror) {
  TempDir dir;
  LoopbackServer server;
  server.route("/v2/exchange-rates", [](const LoopbackRequest& r) {
    EXPECT_EQ(r.params.at("currency"), "BTC");
    return LoopbackReply{200, R"({"data":{"currency":"BTC","rates":{"USD":"97012.34","EUR":"91000.5","JPY":"14700000"}}})",
                         "application/json", {}, 0};
  });
  server.route("/v1/bpi/currentprice.json", replay("coindesk_bpi_currentprice_2023-04-01.json"));
  const std::string lake = (dir.path() / "lake").string();
  const ProcessResult run = run_cryptolake({"ingest", "rates", "--lake", lake, "--base-url", server.base_url(), "--bpi-url",
                                            server.base_url() + "/v1/bpi/currentprice.json", "--count", "2", "--every", "1s"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(sql_rows(lake, "SELECT source, count(*), count(DISTINCT ts) FROM market_ticks GROUP BY ALL ORDER BY 1"),
            (std::vector<std::vector<std::string>>{{"bpi", "3", "1"}, {"coinbase", "6", "2"}}));
  EXPECT_EQ(sql_rows(lake, "SELECT price FROM market_ticks WHERE source = 'bpi' AND symbol = 'BTC-USD'"),
            (std::vector<std::vector<std::string>>{{"28458.4225"}}));
}

// Coinbase refusing (as it does from some regions) must not keep the BPI mirror from being asked.
TEST(IngestServices, ARateSourceThatFailsDoesNotStopTheOthers) {
  TempDir dir;
  LoopbackServer server;
  server.route("/v2/exchange-rates", [](const LoopbackRequest&) {
    return LoopbackReply{403, R"({"errors":[{"id":"forbidden","message":"Forbidden"}]})", "application/json", {}, 0};
  });
  server.route("/v1/bpi/currentprice.json", replay("coindesk_bpi_currentprice_2023-04-01.json"));
  const std::string lake = (dir.path() / "lake").string();
  const ProcessResult run = run_cryptolake({"ingest", "rates", "--lake", lake, "--base-url", server.base_url(), "--bpi-url",
                                            server.base_url() + "/v1/bpi/currentprice.json", "--count", "1", "--every", "1s"});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("rates: coinbase failed: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("rates: 1 poll(s) landed, 1 failed"), std::string::npos) << run.err;
  EXPECT_EQ(sql_rows(lake, "SELECT source, count(*) FROM market_ticks GROUP BY ALL ORDER BY 1"),
            (std::vector<std::vector<std::string>>{{"bpi", "3"}}));
}

}  // namespace
}  // namespace cryptolake::testing

namespace cryptolake::testing {
namespace {

std::filesystem::path fixture_path(const char* name) { return std::filesystem::path(CRYPTOLAKE_FIXTURES_DIR) / name; }

// Saved responses land through the same raw zone and transforms, values exactly as written.
TEST(ImportApiResponse, SavedResponsesLandExactlyInTheConnectorsTables) {
  TempDir dir;
  const std::string lake = (dir.path() / "lake").string();
  const ProcessResult chart = run_cryptolake({"import", "api-response", "--lake", lake,
                                              fixture_path("coingecko_market_chart_bitcoin_hourly_2023-10.json").string(), "--coin", "bitcoin"});
  ASSERT_EQ(chart.exit_code, 0) << chart.err;
  // The first price as the response wrote it: [1696359622085,27309.802923311734].
  const auto first = sql_rows(lake, "SELECT epoch_ms(ts), price::VARCHAR, vs_currency FROM coin_stats ORDER BY ts LIMIT 1");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0][0], "1696359622085");
  EXPECT_EQ(std::strtod(first[0][1].c_str(), nullptr), std::strtod("27309.802923311734", nullptr));
  EXPECT_EQ(first[0][2], "usd");
  // A month of hourly points is one partition (dt = the month's first day), not one per day.
  EXPECT_EQ(sql_rows(lake, "SELECT DISTINCT dt FROM coin_stats ORDER BY 1"), (std::vector<std::vector<std::string>>{{"2023-10-01"}}));

  const ProcessResult rest = run_cryptolake({"import", "api-response", "--lake", lake,
                                             fixture_path("coingecko_coins_markets_5_usd_2023-01-02.json").string(),
                                             fixture_path("coindesk_bpi_currentprice_2023-04-01.json").string()});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  // Nulls stay null (ethereum's max_supply and roi), numbers exact, zeros zero.
  EXPECT_EQ(sql_rows(lake, "SELECT id, current_price::VARCHAR, max_supply IS NULL, market_cap_rank FROM coin_markets WHERE id IN ('bitcoin', 'ethereum') ORDER BY 1"),
            (std::vector<std::vector<std::string>>{{"bitcoin", "16730.75", "false", "1.0"}, {"ethereum", "1218.19", "true", "2.0"}}));
  EXPECT_EQ(sql_rows(lake, "SELECT symbol, price FROM market_ticks WHERE source = 'bpi' ORDER BY 1"),
            (std::vector<std::vector<std::string>>{{"BTC-EUR", "27722.6585"}, {"BTC-GBP", "23779.6302"}, {"BTC-USD", "28458.4225"}}));
}

TEST(ImportApiResponse, WhatCannotBeReadIsAClearError) {
  TempDir dir;
  const std::string lake = (dir.path() / "lake").string();
  const ProcessResult no_coin = run_cryptolake({"import", "api-response", "--lake", lake,
                                                fixture_path("coingecko_market_chart_bitcoin_hourly_2023-10.json").string()});
  EXPECT_EQ(no_coin.exit_code, 1);
  EXPECT_NE(no_coin.err.find("a market_chart response does not name its coin: give --coin"), std::string::npos) << no_coin.err;
  const ProcessResult posts = run_cryptolake({"import", "api-response", "--lake", lake,
                                              fixture_path("tweets_bitcoin_2025-11_rettiwt_normalized.json").string()});
  EXPECT_EQ(posts.exit_code, 1);
  EXPECT_NE(posts.err.find("posts is not a saved API response this command reads: use `cryptolake import posts`"), std::string::npos) << posts.err;
  const ProcessResult wrong_source = run_cryptolake({"import", "api-response", "--lake", lake, "--source", "binance",
                                                     fixture_path("coindesk_bpi_currentprice_2023-04-01.json").string()});
  EXPECT_EQ(wrong_source.exit_code, 1);
  EXPECT_NE(wrong_source.err.find("--source binance but the file is a CoinDesk BPI currentprice response"), std::string::npos) << wrong_source.err;
  const ProcessResult klines = run_cryptolake({"import", "api-response", "--lake", lake, "--symbol", "BTCUSDT", "--interval", "1m",
                                               fixture_path("binance_rest_api_v3_klines_BTCUSDT_1m.json").string()});
  EXPECT_EQ(klines.exit_code, 0) << klines.err;
  EXPECT_EQ(sql_rows(lake, "SELECT count(*), min(epoch_ms(open_time)) FROM market_ohlcv WHERE symbol = 'BTC-USDT'"),
            (std::vector<std::vector<std::string>>{{"10", "1634943780000"}}));
}

}  // namespace
}  // namespace cryptolake::testing
