// Binance klines, REST shape: GET /api/v3/klines answers an array of 12-element arrays
// [open_time, open, high, low, close, volume, close_time, quote_volume, trades,
//  taker_buy_base, taker_buy_quote, ignore]; decimals are strings, times ms (or µs).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <simdjson.h>

#include "core/market.hpp"
#include "core/result.hpp"

namespace cryptolake::sources::binance {

// What the payload itself does not say: whose klines these are.
struct KlineContext {
  std::string source;  // "binance", "simulator", …
  core::Symbol symbol;
  std::string interval;
  core::Timestamp received_at;
};

// A candle's values with whose they are.
core::Kline with_context(const core::KlineValues& values, const KlineContext& context);

// The rules every candle obeys, whatever its source: positive prices, high/low enclosing
// open/close, non-negative volumes, close after open. Fails with corrupt_data and the reason.
[[nodiscard]] core::Status check_kline(const core::KlineValues& kline);

// One row; fails with ErrorCode::corrupt_data and a reason naming the field when the row breaks
// the schema (wrong arity, non-decimal text, high below open/close, times out of order, …).
[[nodiscard]] core::Result<core::Kline> parse_rest_kline(simdjson::dom::array row, const KlineContext& context);
// The same row's values only, for callers that keep whose candles these are once per response.
[[nodiscard]] core::Result<core::KlineValues> parse_rest_kline_values(simdjson::dom::array row, core::Timestamp received_at);

struct RejectedRow {
  size_t index = 0;    // position in the payload array
  std::string reason;
  std::string text;    // the row as JSON
};

// A whole response body: good rows to `out`, bad rows to `rejected`. Fails only when the payload
// is not an array at all.
[[nodiscard]] core::Status parse_rest_klines(simdjson::dom::element payload, const KlineContext& context,
                                             std::vector<core::Kline>& out, std::vector<RejectedRow>& rejected);
// The same, rows as values only (appended to `out`).
[[nodiscard]] core::Status parse_rest_kline_values(simdjson::dom::element payload, core::Timestamp received_at,
                                                   std::vector<core::KlineValues>& out, std::vector<RejectedRow>& rejected);

}  // namespace cryptolake::sources::binance
