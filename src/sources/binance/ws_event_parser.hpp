// Binance WebSocket market events, bare or in the combined-stream wrapper {"stream":…,"data":…}:
//   kline      {"e":"kline","E","s","k":{t,T,s,i,o,c,h,l,v,n,x,q,V,Q}}
//   trade      {"e":"trade","E","s","t","p","q","T","m"}
//   aggTrade   {"e":"aggTrade","E","s","a","p","q","f","l","T","m"}
//   bookTicker {"u","s","b","B","a","A"} (+ "E","T" on futures; spot sends no "e")
// Decimals are strings, times ms (µs when the stream asked for timeUnit=MICROSECOND). Each parser
// fails with corrupt_data naming the field, so the event goes to quarantine with its reason.
#pragma once

#include <optional>
#include <string_view>

#include <simdjson.h>

#include "core/market.hpp"
#include "core/result.hpp"

namespace cryptolake::sources::binance {

// The closed candle of a kline event; nothing while the candle is still open ("x":false), as
// only closed candles are final.
[[nodiscard]] core::Result<std::optional<core::Kline>> parse_ws_kline(simdjson::dom::element payload, std::string_view source,
                                                                      core::Timestamp received_at);

// A trade or aggTrade event (kind from its "e").
[[nodiscard]] core::Result<core::Trade> parse_ws_trade(simdjson::dom::element payload, std::string_view source, core::Timestamp received_at);

// A bookTicker event: bid/ask prices positive, sizes non-negative.
[[nodiscard]] core::Result<core::Quote> parse_ws_book_ticker(simdjson::dom::element payload, std::string_view source,
                                                             core::Timestamp received_at);

// The market a source name stands for: binance → spot, binance_um → um, binance_cm → cm.
std::string_view market_of_source(std::string_view source);

}  // namespace cryptolake::sources::binance
