#include "sources/binance/kline_parser.hpp"

#include <algorithm>

#include "core/decimal.hpp"
#include "core/excerpt.hpp"

namespace cryptolake::sources::binance {

using core::ErrorCode;
using core::fail;
using core::Result;

namespace {

constexpr const char* kFieldNames[] = {"open_time", "open",     "high",           "low",
                                       "close",     "volume",   "close_time",     "quote_volume",
                                       "trades",    "taker_buy_base", "taker_buy_quote", "ignore"};

// Binance sends decimals as strings; some mirrors and archives send plain numbers. Accept both.
Result<double> read_decimal(simdjson::dom::element value, size_t index) {
  if (value.is_string()) {
    const std::string_view text = value.get_string().value_unsafe();
    if (auto parsed = core::parse_decimal(text)) return *parsed;
    return fail(ErrorCode::corrupt_data, "{}: '{}' is not a decimal", kFieldNames[index], core::excerpt(text));
  }
  if (value.is_number()) return value.get_double().value_unsafe();
  return fail(ErrorCode::corrupt_data, "{}: expected a decimal string", kFieldNames[index]);
}

Result<int64_t> read_integer(simdjson::dom::element value, size_t index) {
  if (value.is_int64()) return value.get_int64().value_unsafe();
  if (value.is_uint64()) return static_cast<int64_t>(value.get_uint64().value_unsafe());
  if (value.is_string()) {
    if (auto parsed = core::parse_int(value.get_string().value_unsafe())) return *parsed;
  }
  return fail(ErrorCode::corrupt_data, "{}: expected an integer", kFieldNames[index]);
}

}  // namespace

core::Kline with_context(const core::KlineValues& values, const KlineContext& context) {
  core::Kline k;
  static_cast<core::KlineValues&>(k) = values;
  k.source = context.source;
  k.symbol = context.symbol;
  k.interval = context.interval;
  return k;
}

core::Status check_kline(const core::KlineValues& k) {
  if (k.open <= 0 || k.high <= 0 || k.low <= 0 || k.close <= 0) {
    return fail(ErrorCode::corrupt_data, "prices must be positive (open {} high {} low {} close {})", k.open, k.high,
                k.low, k.close);
  }
  if (k.high < std::max(k.open, k.close) || k.low > std::min(k.open, k.close) || k.low > k.high) {
    return fail(ErrorCode::corrupt_data, "high {} / low {} outside open {} / close {}", k.high, k.low, k.open, k.close);
  }
  if (k.volume < 0 || k.quote_volume < 0 || k.trades < 0 || k.taker_buy_base < 0 || k.taker_buy_quote < 0) {
    return fail(ErrorCode::corrupt_data, "negative volume or trade count");
  }
  if (k.close_time <= k.open_time) {
    return fail(ErrorCode::corrupt_data, "close_time {} not after open_time {}", k.close_time.iso(), k.open_time.iso());
  }
  return {};
}

Result<core::KlineValues> parse_rest_kline_values(simdjson::dom::array row, core::Timestamp received_at) {
  std::array<simdjson::dom::element, 12> f;
  size_t n = 0;
  for (simdjson::dom::element value : row) {
    if (n < f.size()) f[n] = value;
    ++n;
  }
  if (n < 11 || n > 12) return fail(ErrorCode::corrupt_data, "row has {} fields, expected 12", n);
  core::KlineValues k;
  k.received_at = received_at;
  TRY_ASSIGN(const int64_t open_time, read_integer(f[0], 0));
  TRY_ASSIGN(const int64_t close_time, read_integer(f[6], 6));
  k.open_time = core::Timestamp::from_epoch_auto(open_time);
  k.close_time = core::Timestamp::from_epoch_auto(close_time);
  TRY_ASSIGN(k.open, read_decimal(f[1], 1));
  TRY_ASSIGN(k.high, read_decimal(f[2], 2));
  TRY_ASSIGN(k.low, read_decimal(f[3], 3));
  TRY_ASSIGN(k.close, read_decimal(f[4], 4));
  TRY_ASSIGN(k.volume, read_decimal(f[5], 5));
  TRY_ASSIGN(k.quote_volume, read_decimal(f[7], 7));
  TRY_ASSIGN(k.trades, read_integer(f[8], 8));
  TRY_ASSIGN(k.taker_buy_base, read_decimal(f[9], 9));
  TRY_ASSIGN(k.taker_buy_quote, read_decimal(f[10], 10));

  TRY(check_kline(k));
  return k;
}

Result<core::Kline> parse_rest_kline(simdjson::dom::array row, const KlineContext& context) {
  TRY_ASSIGN(core::KlineValues values, parse_rest_kline_values(row, context.received_at));
  return with_context(values, context);
}

core::Status parse_rest_kline_values(simdjson::dom::element payload, core::Timestamp received_at,
                                     std::vector<core::KlineValues>& out, std::vector<RejectedRow>& rejected) {
  simdjson::dom::array rows;
  if (payload.get_array().get(rows) != simdjson::SUCCESS) {
    return fail(ErrorCode::corrupt_data, "klines payload is not an array");
  }
  size_t index = 0;
  for (simdjson::dom::element row : rows) {
    simdjson::dom::array fields;
    if (row.get_array().get(fields) != simdjson::SUCCESS) {
      rejected.push_back({index, "row is not an array", simdjson::minify(row)});
    } else if (auto values = parse_rest_kline_values(fields, received_at)) {
      out.push_back(*values);
    } else {
      rejected.push_back({index, std::move(values.error().message), simdjson::minify(row)});
    }
    ++index;
  }
  return {};
}

core::Status parse_rest_klines(simdjson::dom::element payload, const KlineContext& context,
                               std::vector<core::Kline>& out, std::vector<RejectedRow>& rejected) {
  std::vector<core::KlineValues> values;
  TRY(parse_rest_kline_values(payload, context.received_at, values, rejected));
  out.reserve(out.size() + values.size());
  for (const core::KlineValues& v : values) out.push_back(with_context(v, context));
  return {};
}

}  // namespace cryptolake::sources::binance
