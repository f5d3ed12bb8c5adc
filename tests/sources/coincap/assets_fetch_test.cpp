#include "sources/coincap/assets_fetch.hpp"

#include <gtest/gtest.h>

#include "support/connector_harness.hpp"

namespace cryptolake::sources::coincap {
namespace {

using testing::ConnectorHarness;

TEST(AssetsFetch, TheTopAssetsLandAsServedWithTheKeyAsABearerToken) {
  ConnectorHarness h;
  h.server.route("/assets", testing::replay_fixture("coincap_v2_assets_top100_2024-05-17.json"));
  auto session = h.session(coincap_endpoint(h.server.base_url(), 60, "secret"));
  auto fetched = fetch_assets(session, {}, /*history=*/false);
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(static_cast<int64_t>(fetched->assets), testing::json_array_size(testing::read_fixture("coincap_v2_assets_top100_2024-05-17.json"), "/data"));
  EXPECT_EQ(fetched->histories, 0u);
  const auto requests = h.server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_FALSE(requests[0].params.contains("ids"));
  EXPECT_EQ(requests[0].headers.at("authorization"), "Bearer secret");
  ASSERT_EQ(h.raw.of("assets").size(), 1u);
  EXPECT_EQ(h.raw.of("assets")[0].payload, testing::read_fixture("coincap_v2_assets_top100_2024-05-17.json"));
}

TEST(AssetsFetch, EachHistoryRequestRecordsTheSymbolItsAssetHas) {
  ConnectorHarness h;
  h.server.route("/assets", testing::answer(200, R"({"data":[{"id":"bitcoin","symbol":"BTC","name":"Bitcoin"},)"
                                                 R"({"id":"wrapped-bitcoin","symbol":"WBTC","name":"Wrapped Bitcoin"}],"timestamp":1})"));
  h.server.route("/assets/bitcoin/history", testing::replay_fixture("coincap_v2_assets_ark_history_h1_2020-11-23.json"));
  h.server.route("/assets/wrapped-bitcoin/history", testing::answer(200, R"({"data":[],"timestamp":1})"));
  auto session = h.session(coincap_endpoint(h.server.base_url(), 60));
  auto fetched = fetch_assets(session, {"bitcoin", "wrapped-bitcoin"}, /*history=*/true);
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(fetched->assets, 2u);
  EXPECT_EQ(fetched->histories, 2u);
  const auto requests = h.server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].params.at("ids"), "bitcoin,wrapped-bitcoin");
  EXPECT_EQ(requests[2].path, "/assets/wrapped-bitcoin/history");
  EXPECT_EQ(requests[2].params.at("interval"), "h1");
  const auto histories = h.raw.of("asset_history");
  ASSERT_EQ(histories.size(), 2u);
  EXPECT_NE(histories[0].request.find(R"("symbol":"BTC")"), std::string::npos) << histories[0].request;
  EXPECT_NE(histories[1].request.find(R"("symbol":"WBTC")"), std::string::npos) << histories[1].request;
}

TEST(AssetsFetch, AnAnswerThatIsNotJsonLandsButCannotDriveTheHistory) {
  ConnectorHarness h;
  h.server.route("/assets", testing::answer(200, "<html>maintenance</html>"));
  auto session = h.session(coincap_endpoint(h.server.base_url(), 60));
  auto listed = fetch_assets(session, {}, /*history=*/false);
  ASSERT_TRUE(listed) << listed.error().message;  // landed for the record; the transform quarantines it
  EXPECT_EQ(listed->assets, 0u);
  auto history = fetch_assets(session, {}, /*history=*/true);
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().code, core::ErrorCode::corrupt_data);
  EXPECT_EQ(h.raw.of("assets").size(), 2u);
  EXPECT_FALSE(h.raw.of("assets")[0].payload_is_json);
}

}  // namespace
}  // namespace cryptolake::sources::coincap
