// What a saved JSON file is, from its shape alone: people keep API responses on disk without
// saying where they came from, and a file given to the wrong importer must be named, not
// half-read. The shapes are those of the APIs in API-NOTES.md.
#pragma once

#include <string_view>

#include <simdjson.h>

namespace cryptolake::sources {

enum class ResponseShape {
  unknown,
  coingecko_market_chart,  // {"prices": [[ms, price]…], "market_caps": …, "total_volumes": …}
  coingecko_markets,       // [{"id", "symbol", "current_price", …}…]
  coincap_assets,          // {"data": [{"id", "symbol", "priceUsd", …}…]}
  coincap_history,         // {"data": [{"priceUsd", "time", …}…]}
  bpi_currentprice,        // {"time": …, "bpi": {"USD": {"rate_float", …}…}}
  binance_klines,          // [[open_ms, "open", "high", "low", "close", "volume", close_ms, …]…]
  binance_ticker,          // {"symbol", "lastPrice", …} (24hr ticker)
  binance_exchange_info,   // {"timezone", "symbols": […]}
  x_v2_search,             // {"data": [{"id", "text", …}…], "meta": …}
  posts,                   // [{"text"|"full_text"|"content", …}…] or one such object
};

ResponseShape detect_response_shape(simdjson::dom::element document);
// "a CoinGecko market_chart response", for messages.
std::string_view describe(ResponseShape shape);
// The command that imports it ("import api-response", "import posts"), or empty.
std::string_view importer_of(ResponseShape shape);

}  // namespace cryptolake::sources
