#include "sources/rates/rates_poll.hpp"

#include <gtest/gtest.h>

#include "support/connector_harness.hpp"

namespace cryptolake::sources::rates {
namespace {

using core::Timestamp;
using testing::ConnectorHarness;

TEST(RatesPoll, AMirrorUrlSplitsIntoOriginAndPath) {
  auto mirror = bpi_mirror("https://mirror.example:8443/v1/bpi/currentprice.json");
  ASSERT_TRUE(mirror);
  EXPECT_EQ(mirror->origin, "https://mirror.example:8443");
  EXPECT_EQ(mirror->path, "/v1/bpi/currentprice.json");
  EXPECT_EQ(bpi_mirror("http://bare.example")->path, "/");
  EXPECT_FALSE(bpi_mirror("mirror.example/currentprice.json"));
}

// Coinbase down must not stop the BPI mirror: each source is polled on its own.
TEST(RatesPoll, OneSourceFailingIsReportedAndTheOtherStillLandsEveryPoll) {
  ConnectorHarness h;
  h.server.route("/v2/exchange-rates", testing::answer(503, "down"));
  h.server.route("/bpi/currentprice.json", testing::replay_fixture("coindesk_bpi_currentprice_2023-04-01.json"));
  auto coinbase = h.session(service_endpoint("coinbase", h.server.base_url(), 100));
  const auto mirror = bpi_mirror(h.server.base_url() + "/bpi/currentprice.json");
  ASSERT_TRUE(mirror);
  auto bpi = h.session(service_endpoint("bpi", mirror->origin, 60));
  std::vector<std::string> failures;
  const Timestamp started = h.clock.now();
  const auto report = poll_rates(coinbase, &bpi, &*mirror, {.count = 3, .every_seconds = 60}, h.clock,
                                 [&](std::string_view source, std::string_view why) { failures.push_back(fmt::format("{}: {}", source, why)); });
  EXPECT_EQ(report.landed, 3u);
  EXPECT_EQ(report.failed, 3u);
  ASSERT_EQ(failures.size(), 3u);
  EXPECT_TRUE(failures[0].starts_with("coinbase: ")) << failures[0];
  EXPECT_NE(failures[0].find("HTTP 503"), std::string::npos) << failures[0];
  const auto landed = h.raw.of("currentprice");
  ASSERT_EQ(landed.size(), 3u);
  EXPECT_EQ(landed[0].payload, testing::read_fixture("coindesk_bpi_currentprice_2023-04-01.json"));
  EXPECT_EQ(landed[0].source, "bpi");
  EXPECT_NE(landed[0].request.find(mirror->url), std::string::npos);
  // Three polls 60 s apart: the third lands two minutes after the first, give or take the
  // jittered retries of Coinbase before it (at most 1 s each, two per poll).
  EXPECT_GE(landed[2].received_at - landed[0].received_at, 118 * Timestamp::kMicrosPerSecond);
  EXPECT_GE(h.clock.now() - started, 120 * Timestamp::kMicrosPerSecond);
}

TEST(RatesPoll, WithoutAMirrorOnlyCoinbaseIsAsked) {
  ConnectorHarness h;
  h.server.route("/v2/exchange-rates", testing::answer(200, R"({"data":{"currency":"BTC","rates":{"USD":"27000.5"}}})"));
  auto coinbase = h.session(service_endpoint("coinbase", h.server.base_url(), 100));
  const auto report = poll_rates(coinbase, nullptr, nullptr, {}, h.clock, {});
  EXPECT_EQ(report.landed, 1u);
  EXPECT_EQ(report.failed, 0u);
  ASSERT_EQ(h.server.requests().size(), 1u);
  EXPECT_EQ(h.server.requests()[0].params.at("currency"), "BTC");
  EXPECT_EQ(h.raw.of("exchange_rates").size(), 1u);
}

}  // namespace
}  // namespace cryptolake::sources::rates
