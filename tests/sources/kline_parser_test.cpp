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

namespace cryptolake::sources::binance {
namespace {

simdjson::dom::element parse_json(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element element;
  EXPECT_FALSE(parser.parse(text).get(element)) << text;
  return element;
}

// The closed candle of a WebSocket kline event, wrapped or bare; an open one is no row.
TEST(WsKline, AClosedCandleBecomesAKlineAndAnOpenOneNothing) {
  const core::Timestamp received = *core::Timestamp::parse_iso("2024-05-01T10:01:00.120Z");
  const std::string closed =
      R"({"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1714557660100,"s":"BTCUSDT","k":{"t":1714557600000,"T":1714557659999,)"
      R"("s":"BTCUSDT","i":"1m","f":1,"L":9,"o":"60000.10","c":"60010.50","h":"60020.00","l":"59990.00","v":"12.5","n":42,"x":true,)"
      R"("q":"750100.25","V":"6.25","Q":"375050.10","B":"0"}}})";
  simdjson::dom::parser parser;
  auto kline = parse_ws_kline(parse_json(parser, closed), "binance", received);
  ASSERT_TRUE(kline) << kline.error().message;
  ASSERT_TRUE(kline->has_value());
  const core::Kline& k = **kline;
  EXPECT_EQ(k.source, "binance");
  EXPECT_EQ(k.symbol.canonical(), "BTC-USDT");
  EXPECT_EQ(k.interval, "1m");
  EXPECT_EQ(k.open_time, core::Timestamp::from_millis(1714557600000));
  EXPECT_EQ(k.close_time, core::Timestamp::from_millis(1714557659999));
  EXPECT_EQ(k.open, 60000.10);
  EXPECT_EQ(k.close, 60010.50);
  EXPECT_EQ(k.high, 60020.00);
  EXPECT_EQ(k.low, 59990.00);
  EXPECT_EQ(k.volume, 12.5);
  EXPECT_EQ(k.quote_volume, 750100.25);
  EXPECT_EQ(k.trades, 42);
  EXPECT_EQ(k.taker_buy_base, 6.25);
  EXPECT_EQ(k.taker_buy_quote, 375050.10);
  EXPECT_EQ(k.received_at, received);

  // The same event unwrapped, still open: not final, no row.
  std::string open = closed.substr(closed.find("\"data\":") + 7);
  open.pop_back();
  open.replace(open.find("\"x\":true"), 8, "\"x\":false");
  auto pending = parse_ws_kline(parse_json(parser, open), "binance", received);
  ASSERT_TRUE(pending) << pending.error().message;
  EXPECT_FALSE(pending->has_value());

  // The capture's two kline events are both still open.
  const std::string text = testing::read_fixture("cryptofeed_binance_spot_ws_capture_2021-10-12.txt");
  size_t events = 0;
  for (size_t at = text.find("\"e\":\"kline\""); at != std::string::npos; at = text.find("\"e\":\"kline\"", at + 1)) {
    const size_t start = text.rfind('\n', at) + 1;
    const std::string line = text.substr(start, text.find('\n', at) - start);
    auto parsed = parse_ws_kline(parse_json(parser, line.substr(line.find(": ") + 2)), "binance", received);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_FALSE(parsed->has_value());
    ++events;
  }
  EXPECT_EQ(events, 2u);
}

TEST(WsKline, BrokenCandlesAreRejectedNamingTheField) {
  simdjson::dom::parser parser;
  const core::Timestamp received = *core::Timestamp::parse_iso("2024-05-01T10:01:00Z");
  const std::string base =
      R"({"e":"kline","s":"ETHUSDT","k":{"t":1714557600000,"T":1714557659999,"s":"ETHUSDT","i":"1m","o":"3000","c":"3001",)"
      R"("h":"HIGH","l":"2999","v":"1","n":3,"x":true,"q":"3000","V":"0.5","Q":"1500"}})";
  std::string not_decimal = base;
  not_decimal.replace(not_decimal.find("\"HIGH\""), 6, "\"abc\"");
  auto bad = parse_ws_kline(parse_json(parser, not_decimal), "binance", received);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("k.h (high)"), std::string::npos) << bad.error().message;
  std::string below = base;
  below.replace(below.find("\"HIGH\""), 6, "\"2998\"");  // high below low
  auto outside = parse_ws_kline(parse_json(parser, below), "binance", received);
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message.find("high"), std::string::npos) << outside.error().message;
  auto no_candle = parse_ws_kline(parse_json(parser, R"({"e":"kline","s":"ETHUSDT"})"), "binance", received);
  ASSERT_FALSE(no_candle);
}

}  // namespace
}  // namespace cryptolake::sources::binance
