#include "sources/binance/kline_parser.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "support/fixtures.hpp"

namespace cryptolake::sources::binance {
namespace {

KlineContext btc_context() {
  return {"binance", *core::Symbol::parse("BTCUSDT"), "1m", *core::Timestamp::parse_iso("2021-10-22T23:13:00Z")};
}

// Each decimal string of Binance carries 8 places; printing the parsed double back with 8 places
// must give the exact text that was received.
TEST(KlineParser, EveryValueOfTheRecordedResponseRoundTripsExactly) {
  const simdjson::padded_string json(testing::read_fixture("binance_rest_api_v3_klines_BTCUSDT_1m.json"));
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(json);
  std::vector<core::Kline> klines;
  std::vector<RejectedRow> rejected;
  ASSERT_TRUE(parse_rest_klines(doc, btc_context(), klines, rejected));
  ASSERT_TRUE(rejected.empty()) << rejected[0].reason;
  ASSERT_EQ(klines.size(), 10u);
  size_t i = 0;
  for (simdjson::dom::array row : doc.get_array()) {
    std::vector<simdjson::dom::element> f(row.begin(), row.end());
    const core::Kline& k = klines[i++];
    const auto text = [&](size_t n) { return std::string(f[n].get_string().value()); };
    EXPECT_EQ(k.open_time.millis(), f[0].get_int64().value());
    EXPECT_EQ(k.close_time.millis(), f[6].get_int64().value());
    EXPECT_EQ(fmt::format("{:.8f}", k.open), text(1));
    EXPECT_EQ(fmt::format("{:.8f}", k.high), text(2));
    EXPECT_EQ(fmt::format("{:.8f}", k.low), text(3));
    EXPECT_EQ(fmt::format("{:.8f}", k.close), text(4));
    EXPECT_EQ(fmt::format("{:.8f}", k.volume), text(5));
    EXPECT_EQ(fmt::format("{:.8f}", k.quote_volume), text(7));
    EXPECT_EQ(k.trades, f[8].get_int64().value());
    EXPECT_EQ(fmt::format("{:.8f}", k.taker_buy_base), text(9));
    EXPECT_EQ(fmt::format("{:.8f}", k.taker_buy_quote), text(10));
    EXPECT_EQ(k.symbol.canonical(), "BTC-USDT");
  }
  EXPECT_EQ(klines.front().open_time.iso(), "2021-10-22T23:03:00.000000Z");
  EXPECT_EQ(klines.back().open_time.iso(), "2021-10-22T23:12:00.000000Z");
}

TEST(KlineParser, AcceptsMicrosecondTimesAndNumericDecimals) {
  const simdjson::padded_string json(
      std::string(R"([[1735689600000000, 93576.0, "94509.42", "93489.03", "94401.14", "1.5", 1735703999999999,)"
                  R"( "100.0", 5, "0.5", "50.0", "0"]])"));
  simdjson::dom::parser parser;
  std::vector<core::Kline> klines;
  std::vector<RejectedRow> rejected;
  ASSERT_TRUE(parse_rest_klines(parser.parse(json), btc_context(), klines, rejected));
  ASSERT_EQ(klines.size(), 1u);
  EXPECT_EQ(klines[0].open_time.iso(), "2025-01-01T00:00:00.000000Z");
  EXPECT_EQ(klines[0].open, 93576.0);
}

TEST(KlineParser, RejectsBadRowsWithAReasonAndKeepsTheRest) {
  const simdjson::padded_string json(std::string(R"([
    [1634943780000,"1.0","2.0","0.5","1.5","10",1634943839999,"15",3,"5","7.5","0"],
    [1634943840000,"12x.5","2.0","0.5","1.5","10",1634943899999,"15",3,"5","7.5","0"],
    [1634943900000,"1.0","0.4","0.5","1.5","10",1634943959999,"15",3,"5","7.5","0"],
    [1634943960000,"1.0","2.0","0.5","1.5","10"],
    [1634944020000,"1.0","2.0","0.5","1.5","-10",1634944079999,"15",3,"5","7.5","0"],
    [1634944080000,"1.0","2.0","0.5","1.5","10",1634944080000,"15",3,"5","7.5","0"],
    "not a row"
  ])"));
  simdjson::dom::parser parser;
  std::vector<core::Kline> klines;
  std::vector<RejectedRow> rejected;
  ASSERT_TRUE(parse_rest_klines(parser.parse(json), btc_context(), klines, rejected));
  ASSERT_EQ(klines.size(), 1u);
  ASSERT_EQ(rejected.size(), 6u);
  EXPECT_EQ(rejected[0].index, 1u);
  EXPECT_EQ(rejected[0].reason, "open: '12x.5' is not a decimal");
  EXPECT_NE(rejected[1].reason.find("high 0.4 / low 0.5 outside"), std::string::npos) << rejected[1].reason;
  EXPECT_EQ(rejected[2].reason, "row has 6 fields, expected 12");
  EXPECT_EQ(rejected[3].reason, "negative volume or trade count");
  EXPECT_NE(rejected[4].reason.find("close_time"), std::string::npos);
  EXPECT_EQ(rejected[5].reason, "row is not an array");
  EXPECT_EQ(rejected[2].text, R"([1634943960000,"1.0","2.0","0.5","1.5","10"])");
}

TEST(KlineParser, PayloadThatIsNotAnArrayIsAnError) {
  const simdjson::padded_string json(std::string(R"({"code":-1121,"msg":"Invalid symbol."})"));
  simdjson::dom::parser parser;
  std::vector<core::Kline> klines;
  std::vector<RejectedRow> rejected;
  EXPECT_FALSE(parse_rest_klines(parser.parse(json), btc_context(), klines, rejected));
}

}  // namespace
}  // namespace cryptolake::sources::binance
