// The WebSocket event parsers on hand-written events and on the recorded ones.
#include "sources/binance/ws_event_parser.hpp"

#include <gtest/gtest.h>

#include "support/fixtures.hpp"

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

// The candle's fields are found in one pass; it must read as a lookup by key would: the first of
// a repeated key counts, longer keys that start with a field's letter are not that field, and a
// missing field is named.
TEST(WsKline, FieldsReadAsALookupByKeyWould) {
  simdjson::dom::parser parser;
  const core::Timestamp received = *core::Timestamp::parse_iso("2024-05-01T10:01:00Z");
  const std::string event =
      R"({"e":"kline","s":"ETHUSDT","k":{"cc":"1","t":1714557600000,"T":1714557659999,"s":"ETHUSDT","i":"1m","o":"3000","c":"3001",)"
      R"("h":"3002","l":"2999","v":"1","n":3,"x":true,"q":"3000","V":"0.5","Q":"1500","c":"2999.5","é":"1"}})";
  auto kline = parse_ws_kline(parse_json(parser, event), "binance", received);
  ASSERT_TRUE(kline) << kline.error().message;
  ASSERT_TRUE(kline->has_value());
  EXPECT_EQ((*kline)->close, 3001.0);  // the first "c", not "cc" nor the second "c"
  EXPECT_EQ((*kline)->volume, 1.0);

  std::string no_volume = event;
  no_volume.replace(no_volume.find("\"v\":\"1\","), 8, "");
  auto missing = parse_ws_kline(parse_json(parser, no_volume), "binance", received);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("k.v (volume): expected a decimal string"), std::string::npos) << missing.error().message;
}

// The recorded trade events, wrapped: every field as sent, the kind from "e".
TEST(WsTrade, RecordedTradeAndAggTradeEventsKeepEveryField) {
  simdjson::dom::parser parser;
  const core::Timestamp received = *core::Timestamp::parse_iso("2021-12-12T23:17:42.300Z");
  auto trade = parse_ws_trade(parse_json(parser, testing::read_fixture("binance_ws_combined_trade_ETHUSDT.json")), "binance", received);
  ASSERT_TRUE(trade) << trade.error().message;
  EXPECT_EQ(trade->kind, "trade");
  EXPECT_EQ(trade->symbol.canonical(), "ETH-USDT");
  EXPECT_EQ(trade->trade_id, 705291099);
  EXPECT_EQ(trade->price, 4149.74);
  EXPECT_EQ(trade->quantity, 0.4387);
  EXPECT_TRUE(trade->buyer_is_maker);
  EXPECT_EQ(trade->trade_time, core::Timestamp::from_millis(1639351062243));
  EXPECT_EQ(trade->event_time, core::Timestamp::from_millis(1639351062244));
  EXPECT_FALSE(trade->first_trade_id);
  EXPECT_EQ(trade->received_at, received);

  auto agg = parse_ws_trade(parse_json(parser, testing::read_fixture("binance_ws_combined_aggTrade_ETHUSDT_testnet.json")), "binance_um",
                            received);
  ASSERT_TRUE(agg) << agg.error().message;
  EXPECT_EQ(agg->kind, "aggTrade");
  EXPECT_EQ(agg->trade_id, 226532);
  EXPECT_EQ(agg->first_trade_id, 228423);
  EXPECT_EQ(agg->last_trade_id, 228423);
  EXPECT_EQ(agg->price, 1632.46);
  EXPECT_EQ(agg->quantity, 0.34305);
  EXPECT_FALSE(agg->buyer_is_maker);
  EXPECT_EQ(agg->trade_time, core::Timestamp::from_millis(1675759520847));
  EXPECT_EQ(market_of_source(agg->source), "um");
  EXPECT_EQ(market_of_source("binance"), "spot");
}

TEST(WsTrade, BrokenTradesAreRejectedNamingTheField) {
  simdjson::dom::parser parser;
  const core::Timestamp received = *core::Timestamp::parse_iso("2024-05-01T10:01:00Z");
  const std::string good = R"({"e":"trade","E":1714557660100,"s":"BTCUSDT","t":7,"p":"60000.5","q":"0.25","T":1714557660099,"m":false})";
  ASSERT_TRUE(parse_ws_trade(parse_json(parser, good), "binance", received));
  const auto reason = [&](std::string text) {
    auto parsed = parse_ws_trade(parse_json(parser, text), "binance", received);
    return parsed ? std::string("accepted") : parsed.error().message;
  };
  auto replace = [&](std::string_view from, std::string_view to) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  EXPECT_NE(reason(replace(R"("p":"60000.5")", R"("p":"-1")")).find("p (price)"), std::string::npos);
  EXPECT_NE(reason(replace(R"("q":"0.25")", R"("q":"x")")).find("q (quantity)"), std::string::npos);
  EXPECT_NE(reason(replace(R"("t":7,)", "")).find("t (trade_id)"), std::string::npos);
  EXPECT_NE(reason(replace(R"("m":false)", R"("m":"no")")).find("m (buyer is maker)"), std::string::npos);
  EXPECT_NE(reason(replace(R"("e":"trade")", R"("e":"depthUpdate")")).find("e (event type)"), std::string::npos);
  EXPECT_NE(reason("[1,2]").find("JSON object"), std::string::npos);
}

// Spot bookTicker has no event time (the capture's 84); the futures-style one has E.
TEST(WsBookTicker, SpotAndFuturesQuotesParse) {
  simdjson::dom::parser parser;
  const core::Timestamp received = *core::Timestamp::parse_iso("2022-03-02T05:33:48.200Z");
  auto quote = parse_ws_book_ticker(parse_json(parser, testing::read_fixture("binance_ws_combined_bookTicker_ETHUSDT.json")), "binance",
                                    received);
  ASSERT_TRUE(quote) << quote.error().message;
  EXPECT_EQ(quote->symbol.canonical(), "ETH-USDT");
  EXPECT_EQ(quote->update_id, 12711621188);
  EXPECT_EQ(quote->bid_price, 4507.24);
  EXPECT_EQ(quote->bid_qty, 2.3595);
  EXPECT_EQ(quote->ask_price, 4507.25);
  EXPECT_EQ(quote->ask_qty, 2.8457);
  EXPECT_EQ(quote->event_time, core::Timestamp::from_millis(1646199228123));

  const std::string text = testing::read_fixture("cryptofeed_binance_spot_ws_capture_2021-10-12.txt");
  size_t quotes = 0;
  for (size_t at = text.find("@bookTicker\","); at != std::string::npos; at = text.find("@bookTicker\",", at + 1)) {
    const size_t start = text.rfind('\n', at) + 1;
    const std::string line = text.substr(start, text.find('\n', at) - start);
    auto parsed = parse_ws_book_ticker(parse_json(parser, line.substr(line.find(": ") + 2)), "binance", received);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_FALSE(parsed->event_time);
    EXPECT_LE(parsed->bid_price, parsed->ask_price);
    ++quotes;
  }
  EXPECT_EQ(quotes, 84u);
  auto crossed = parse_ws_book_ticker(parse_json(parser, R"({"u":1,"s":"BTCUSDT","b":"0","B":"1","a":"2","A":"1"})"), "binance", received);
  ASSERT_FALSE(crossed);
  EXPECT_NE(crossed.error().message.find("positive"), std::string::npos);
}

}  // namespace
}  // namespace cryptolake::sources::binance
