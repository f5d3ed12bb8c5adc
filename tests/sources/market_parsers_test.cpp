// The market-data parsers on the real recorded responses in ../shared/fixtures.
#include <gtest/gtest.h>

#include <set>

#include "sources/binance/ticker_parser.hpp"
#include "sources/coincap/coincap_parser.hpp"
#include "sources/coingecko/coingecko_parser.hpp"
#include "sources/rates/rates_parser.hpp"
#include "support/fixtures.hpp"

namespace cryptolake::sources {
namespace {

using core::Timestamp;

struct Doc {
  explicit Doc(const std::string& text) : json(text), root(parser.parse(json)) {}
  simdjson::padded_string json;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

const Timestamp kReceived = *Timestamp::parse_iso("2024-05-17T22:30:00Z");

TEST(BinanceTickers, PriceAnd24hrFromRecordedResponses) {
  std::vector<core::Tick> ticks;
  std::vector<std::string> rejected;
  Doc price(testing::read_fixture("binance_rest_api_v3_ticker_price_BTCUSDT.json"));
  ASSERT_TRUE(binance::parse_ticker_price(price.root, kReceived, ticks, rejected));
  Doc day(testing::read_fixture("binance_rest_api_v3_ticker_24hr_BTCUSDT.json"));
  ASSERT_TRUE(binance::parse_ticker_24hr(day.root, kReceived, ticks, rejected));
  ASSERT_EQ(ticks.size(), 2u);
  EXPECT_TRUE(rejected.empty());
  EXPECT_EQ(ticks[0].symbol.canonical(), "BTC-USDT");
  EXPECT_EQ(ticks[0].price, 60740.0);
  EXPECT_EQ(ticks[1].price, 60755.18);
  EXPECT_EQ(*ticks[1].change_pct_24h, -3.003);
  EXPECT_EQ(ticks[1].ts.iso().substr(0, 16), "2021-10-22T23:13");  // the window's close time
}

TEST(BinanceExchangeInfo, SplitsEverySymbolIntoBaseAndQuote) {
  Doc trimmed(testing::read_fixture("binance_rest_api_v3_exchangeInfo_trimmed_BTCUSDT_ETHUSDT.json"));
  auto two = binance::parse_exchange_info(trimmed.root);
  ASSERT_TRUE(two);
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].base, "ETH");
  EXPECT_EQ((*two)[1].quote, "USDT");
  // cryptofeed's capture prefixes the JSON with "<url> -> <time>: " and adds a second line.
  std::string capture = testing::read_fixture("cryptofeed_binance_spot_exchangeInfo_full_2021-10-12.txt");
  capture = capture.substr(capture.find(": {") + 2);
  capture = capture.substr(0, capture.find('\n'));
  Doc full(capture);
  auto all = binance::parse_exchange_info(full.root);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1695u);
  size_t trading = 0, split_agrees = 0;
  for (const auto& s : *all) {
    trading += s.status == "TRADING";
    auto ours = core::Symbol::parse(s.symbol);
    split_agrees += ours && ours->base() == s.base && ours->quote() == s.quote;
  }
  EXPECT_EQ(trading, 1262u);
  // Our quote list splits almost every real symbol the way Binance does.
  EXPECT_GT(split_agrees, 1650u);
}

TEST(CoinGecko, CoinsListWithOddIds) {
  Doc list(testing::read_fixture("coingecko_coins_list_2024-02.json"));
  auto coins = coingecko::parse_coins_list(list.root);
  ASSERT_TRUE(coins);
  EXPECT_EQ(coins->size(), 12868u);
  std::set<std::string> ids;
  bool emoji = false;  // non-ASCII names survive
  for (const auto& c : *coins) {
    ids.insert(c.id);
    emoji = emoji || c.name == "₿" || c.name == "$CCB 鸡鸡币";
  }
  EXPECT_TRUE(ids.contains("1move token"));
  EXPECT_TRUE(ids.contains("-2"));
  EXPECT_TRUE(ids.contains("bitcoin"));
  EXPECT_TRUE(emoji);
}

TEST(CoinGecko, MarketChartJoinsThreeSeriesByTime) {
  Doc chart(testing::read_fixture("coingecko_market_chart_bitcoin_hourly_2023-10.json"));
  std::vector<core::CoinStat> stats;
  std::vector<std::string> rejected;
  ASSERT_TRUE(coingecko::parse_market_chart(chart.root, "bitcoin", "usd", kReceived, stats, rejected));
  EXPECT_TRUE(rejected.empty());
  ASSERT_EQ(stats.size(), 169u);
  EXPECT_EQ(stats.front().ts, Timestamp::from_millis(1696359622085));
  EXPECT_EQ(*stats.front().price, 27309.802923311734);
  EXPECT_TRUE(stats.front().market_cap && stats.front().total_volume);
  const auto windows = coingecko::hourly_windows(*Timestamp::parse_date("2023-01-01"), *Timestamp::parse_date("2024-01-01"));
  ASSERT_EQ(windows.size(), 5u);  // 365 days in windows of at most 90
  EXPECT_EQ(windows.back().second, *Timestamp::parse_date("2024-01-01"));
}

TEST(CoinCap, AssetsWithStringNumbersAndNulls) {
  Doc assets(testing::read_fixture("coincap_v2_assets_top100_2024-05-17.json"));
  std::vector<core::Tick> ticks;
  std::vector<std::string> rejected;
  ASSERT_TRUE(coincap::parse_assets(assets.root, kReceived, ticks, rejected));
  EXPECT_TRUE(rejected.empty());
  ASSERT_EQ(ticks.size(), 100u);
  EXPECT_EQ(ticks[0].symbol.canonical(), "BTC-USD");
  EXPECT_EQ(ticks[0].price, 66765.9847339959888143);
  EXPECT_EQ(*ticks[0].market_cap, 1315269402102.4076428731440099);
  EXPECT_EQ(ticks[0].ts, Timestamp::from_millis(1715984891711));
}

TEST(CoinCap, HourlyHistory) {
  Doc history(testing::read_fixture("coincap_v2_assets_ark_history_h1_2020-11-23.json"));
  std::vector<core::Tick> ticks;
  std::vector<std::string> rejected;
  ASSERT_TRUE(coincap::parse_history(history.root, "ARK", kReceived, ticks, rejected));
  ASSERT_EQ(ticks.size(), 24u);
  EXPECT_EQ(ticks[0].symbol.canonical(), "ARK-USD");
  EXPECT_EQ(ticks[0].ts.iso(), "2020-11-23T00:00:00.000000Z");
  EXPECT_EQ(ticks[23].ts.iso(), "2020-11-23T23:00:00.000000Z");
  EXPECT_EQ(ticks[0].price, 0.3854426562251984);
}

TEST(Rates, BpiRatesLoseTheirThousandsSeparators) {
  Doc bpi(testing::read_fixture("coindesk_bpi_currentprice_2023-04-01.json"));
  std::vector<core::Tick> ticks;
  std::vector<std::string> rejected;
  ASSERT_TRUE(rates::parse_bpi(bpi.root, kReceived, ticks, rejected));
  ASSERT_EQ(ticks.size(), 3u);
  std::map<std::string, double> by_symbol;
  for (const auto& t : ticks) by_symbol[t.symbol.canonical()] = t.price;
  EXPECT_EQ(by_symbol["BTC-USD"], 28458.4225);
  EXPECT_EQ(by_symbol["BTC-GBP"], 23779.6302);
  EXPECT_EQ(by_symbol["BTC-EUR"], 27722.6585);
  EXPECT_EQ(ticks[0].ts.iso(), "2023-04-01T09:55:00.000000Z");
  EXPECT_EQ(rates::decode_html_entities("&#36; &pound; &euro; &amp; &#x20AC; &bogus;"), "$ £ € & € &bogus;");
  EXPECT_FALSE(rates::parse_grouped_decimal("12,x"));
}

TEST(Rates, CoinbaseExchangeRates) {
  Doc doc(std::string(R"({"data":{"currency":"BTC","rates":{"USD":"97012.345","EUR":"92011.1","XYZ":"not a number"}}})"));
  std::vector<core::Tick> ticks;
  std::vector<std::string> rejected;
  ASSERT_TRUE(rates::parse_coinbase_rates(doc.root, kReceived, ticks, rejected));
  ASSERT_EQ(ticks.size(), 2u);
  EXPECT_EQ(ticks[0].symbol.canonical(), "BTC-USD");
  EXPECT_EQ(ticks[0].price, 97012.345);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_TRUE(rejected[0].starts_with("XYZ: not a positive rate"));
}

}  // namespace
}  // namespace cryptolake::sources
