// Bitcoin exchange rates in many currencies:
//   CoinDesk BPI currentprice.json (retired in 2025; recordings and mirrors keep the shape):
//     {"time":{"updatedISO"},"bpi":{"USD":{"code","symbol":"&#36;","rate":"28,458.4225","rate_float"}…}}
//   Coinbase GET /v2/exchange-rates?currency=BTC: {"data":{"currency":"BTC","rates":{"USD":"…",…}}}
#pragma once

#include <vector>

#include <simdjson.h>

#include "core/market.hpp"
#include "core/result.hpp"

namespace cryptolake::sources::rates {

// One tick per currency, BTC-<CODE>; `rate` strings lose their thousands separators.
[[nodiscard]] core::Status parse_bpi(simdjson::dom::element payload, core::Timestamp received_at,
                                     std::vector<core::Tick>& out, std::vector<std::string>& rejected);
// One tick per quoted currency; ts is when the response arrived (the API gives no time).
[[nodiscard]] core::Status parse_coinbase_rates(simdjson::dom::element payload, core::Timestamp received_at,
                                                std::vector<core::Tick>& out, std::vector<std::string>& rejected);

// "28,458.4225" → 28458.4225 (commas as thousands separators only).
std::optional<double> parse_grouped_decimal(std::string_view text);
// "&#36;" → "$", "&pound;" → "£", "&euro;" → "€" (and the other named and numeric entities).
std::string decode_html_entities(std::string_view text);

}  // namespace cryptolake::sources::rates
