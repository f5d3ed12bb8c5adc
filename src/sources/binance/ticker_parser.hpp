// Binance spot tickers and exchange metadata:
//   GET /api/v3/ticker/price  → {"symbol","price"} or an array of them (weight 2 / 4 for all)
//   GET /api/v3/ticker/24hr   → {"symbol","lastPrice","volume","quoteVolume","priceChangePercent","closeTime",…}
//   GET /api/v3/exchangeInfo  → {"symbols":[{"symbol","status","baseAsset","quoteAsset",…}]}
#pragma once

#include <vector>

#include <simdjson.h>

#include "core/market.hpp"
#include "core/result.hpp"

namespace cryptolake::sources::binance {

struct ExchangeSymbol {
  std::string symbol;  // BTCUSDT
  std::string base, quote, status;
};

// Tickers (one object or an array); each bad item is reported in `rejected` as "reason\ttext".
[[nodiscard]] core::Status parse_ticker_price(simdjson::dom::element payload, core::Timestamp received_at,
                                              std::vector<core::Tick>& out, std::vector<std::string>& rejected);
[[nodiscard]] core::Status parse_ticker_24hr(simdjson::dom::element payload, core::Timestamp received_at,
                                             std::vector<core::Tick>& out, std::vector<std::string>& rejected);
[[nodiscard]] core::Result<std::vector<ExchangeSymbol>> parse_exchange_info(simdjson::dom::element payload);

}  // namespace cryptolake::sources::binance
