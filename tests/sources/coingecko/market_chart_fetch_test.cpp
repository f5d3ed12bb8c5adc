#include "sources/coingecko/market_chart_fetch.hpp"

#include <gtest/gtest.h>

#include "support/connector_harness.hpp"

namespace cryptolake::sources::coingecko {
namespace {

using core::Timestamp;
using testing::ConnectorHarness;

TEST(MarketChartFetch, LastDaysLandOneAnswerPerCoinExactlyAsServedWithTheKey) {
  ConnectorHarness h;
  h.server.route("/coins/bitcoin/market_chart", testing::replay_fixture("coingecko_market_chart_bitcoin_hourly_2023-10.json"));
  h.server.route("/coins/ethereum/market_chart", testing::answer(200, R"({"prices":[],"market_caps":[],"total_volumes":[]})"));
  auto session = h.session(coingecko_endpoint(h.server.base_url() + "/", 30, "demo-key"));
  auto fetched = fetch_market_charts(session, {{"bitcoin", "ethereum"}, "eur", "7", std::nullopt, h.clock.now(), false});
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(fetched->charts, 2);
  EXPECT_FALSE(fetched->listed_coins);
  const auto landed = h.raw.of("market_chart");
  ASSERT_EQ(landed.size(), 2u);
  EXPECT_EQ(landed[0].payload, testing::read_fixture("coingecko_market_chart_bitcoin_hourly_2023-10.json"));
  EXPECT_EQ(landed[0].source, "coingecko");
  EXPECT_NE(landed[0].request.find(R"("coin":"bitcoin")"), std::string::npos) << landed[0].request;
  EXPECT_NE(landed[1].request.find(R"("vs_currency":"eur")"), std::string::npos) << landed[1].request;
  const auto requests = h.server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].params.at("days"), "7");
  EXPECT_EQ(requests[0].params.at("vs_currency"), "eur");
  EXPECT_EQ(requests[0].headers.at("x-cg-demo-api-key"), "demo-key");
}

TEST(MarketChartFetch, ALongHistoryIsAskedInContiguousWindowsOfAtMostNinetyDays) {
  ConnectorHarness h;
  h.server.route("/coins/bitcoin/market_chart/range", testing::answer(200, R"({"prices":[],"market_caps":[],"total_volumes":[]})"));
  auto session = h.session(coingecko_endpoint(h.server.base_url(), 30, "pro-key", /*pro=*/true));
  const Timestamp from = *Timestamp::parse_iso("2023-01-01"), to = *Timestamp::parse_iso("2023-07-01");  // 181 days
  auto fetched = fetch_market_charts(session, {{"bitcoin"}, "usd", "30", from, to, false});
  ASSERT_TRUE(fetched) << fetched.error().message;
  const auto requests = h.server.requests();
  ASSERT_EQ(requests.size(), 3u);  // ⌈181 / 90⌉
  EXPECT_EQ(fetched->charts, 3);
  EXPECT_EQ(requests.front().params.at("from"), std::to_string(from.micros() / 1'000'000));
  EXPECT_EQ(requests.back().params.at("to"), std::to_string(to.micros() / 1'000'000));
  for (size_t i = 0; i < requests.size(); ++i) {
    const int64_t a = std::stoll(requests[i].params.at("from")), b = std::stoll(requests[i].params.at("to"));
    EXPECT_GT(b, a);
    EXPECT_LE(b - a, 90 * 86'400);
    if (i > 0) {
      EXPECT_EQ(requests[i - 1].params.at("to"), requests[i].params.at("from"));
    }
    EXPECT_EQ(requests[i].headers.at("x-cg-pro-api-key"), "pro-key");
  }
}

TEST(MarketChartFetch, TheCoinListIsCountedAndAFailureStopsWithItsReason) {
  ConnectorHarness h;
  h.server.route("/coins/list", testing::replay_fixture("coingecko_coins_list_2024-02.json"));
  h.server.route("/coins/nosuchcoin/market_chart", testing::answer(404, R"({"error":"coin not found"})"));
  auto session = h.session(coingecko_endpoint(h.server.base_url(), 30));
  auto fetched = fetch_market_charts(session, {{}, "usd", "30", std::nullopt, h.clock.now(), true});
  ASSERT_TRUE(fetched) << fetched.error().message;
  ASSERT_TRUE(fetched->listed_coins);
  EXPECT_EQ(static_cast<int64_t>(*fetched->listed_coins), testing::json_array_size(testing::read_fixture("coingecko_coins_list_2024-02.json")));
  EXPECT_EQ(fetched->list_key, "memory/0");

  auto missing = fetch_market_charts(session, {{"nosuchcoin"}, "usd", "30", std::nullopt, h.clock.now(), false});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::ErrorCode::not_found);
  EXPECT_NE(missing.error().message.find("coin not found"), std::string::npos) << missing.error().message;
}

}  // namespace
}  // namespace cryptolake::sources::coingecko
