#include "sources/binance/market_info_fetch.hpp"

#include <gtest/gtest.h>

#include "sources/binance/kline_backfill.hpp"
#include "support/connector_harness.hpp"

namespace cryptolake::sources::binance {
namespace {

using testing::ConnectorHarness;

TEST(MarketInfoFetch, TickersAskForEverySymbolInOneRequestAtBinancesWeight) {
  ConnectorHarness h;
  h.server.route("/api/v3/ticker/24hr", testing::replay_fixture("binance_rest_api_v3_ticker_24hr_BTCUSDT.json"));
  auto session = h.session(binance_endpoint(h.server.base_url()));
  ASSERT_TRUE(fetch_tickers_24hr(session, {*core::Symbol::parse("BTC-USDT"), *core::Symbol::parse("ETHUSDT")}));
  const auto requests = h.server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].params.at("symbols"), R"(["BTCUSDT","ETHUSDT"])");
  EXPECT_EQ(session.weight_spent(), 4);
  ASSERT_EQ(h.raw.of("ticker_24hr").size(), 1u);
  EXPECT_EQ(h.raw.of("ticker_24hr")[0].payload, testing::read_fixture("binance_rest_api_v3_ticker_24hr_BTCUSDT.json"));
  // Binance's table: 2 per symbol up to 20, then 40 up to 100, then 80.
  EXPECT_EQ(ticker_24hr_weight(1), 2);
  EXPECT_EQ(ticker_24hr_weight(20), 40);
  EXPECT_EQ(ticker_24hr_weight(21), 40);
  EXPECT_EQ(ticker_24hr_weight(100), 40);
  EXPECT_EQ(ticker_24hr_weight(101), 80);
}

TEST(MarketInfoFetch, ExchangeInfoLandsAndCountsItsSymbols) {
  ConnectorHarness h;
  const std::string fixture = "binance_rest_api_v3_exchangeInfo_trimmed_BTCUSDT_ETHUSDT.json";
  h.server.route("/api/v3/exchangeInfo", testing::replay_fixture(fixture));
  auto session = h.session(binance_endpoint(h.server.base_url()));
  auto fetched = fetch_exchange_info(session);
  ASSERT_TRUE(fetched) << fetched.error().message;
  ASSERT_TRUE(fetched->symbols);
  EXPECT_EQ(static_cast<int64_t>(*fetched->symbols), testing::json_array_size(testing::read_fixture(fixture), "/symbols"));
  EXPECT_EQ(session.weight_spent(), 20);
  EXPECT_EQ(h.raw.of("exchange_info").size(), 1u);

  h.server.script("/api/v3/exchangeInfo", {{200, "<html>cut", "text/html", {}, 0}});
  auto unreadable = fetch_exchange_info(session);
  ASSERT_TRUE(unreadable);  // landed for the record; nothing to count
  EXPECT_FALSE(unreadable->symbols);
}

}  // namespace
}  // namespace cryptolake::sources::binance
