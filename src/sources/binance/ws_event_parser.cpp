#include "sources/binance/ws_event_parser.hpp"

#include <array>

#include "core/decimal.hpp"
#include "core/excerpt.hpp"
#include "sources/binance/kline_parser.hpp"

namespace cryptolake::sources::binance {

using core::ErrorCode;
using core::fail;
using core::Result;

namespace {

// The event itself: the "data" of a combined-stream wrapper, or the payload when bare.
Result<simdjson::dom::object> event_of(simdjson::dom::element payload, std::string_view what) {
  simdjson::dom::object event;
  if (!payload["data"].get_object().get(event)) return event;
  if (!payload.get_object().get(event)) return event;
  return fail(ErrorCode::corrupt_data, "a {} event must be a JSON object", what);
}

// A candle's fields by their one-letter keys, found in one pass over the object: a lookup by key
// walks the object from its start, 14 walks of ~17 keys a candle (a third of parsing one). The
// first of a repeated key counts, as with a lookup.
class OneLetterFields {
 public:
  explicit OneLetterFields(simdjson::dom::object o) {
    for (const simdjson::dom::key_value_pair field : o) {
      if (field.key.size() != 1 || !in_table(field.key[0])) continue;
      const size_t at = static_cast<size_t>(field.key[0] - kFirst);
      if (!found_[at]) {
        found_[at] = true;
        values_[at] = field.value;
      }
    }
  }

  simdjson::simdjson_result<simdjson::dom::element> operator[](const char* key) const {
    if (key[1] != '\0' || !in_table(key[0])) return simdjson::NO_SUCH_FIELD;
    const size_t at = static_cast<size_t>(key[0] - kFirst);
    if (!found_[at]) return simdjson::NO_SUCH_FIELD;
    return simdjson::dom::element(values_[at]);
  }

 private:
  static constexpr char kFirst = 'A', kLast = 'z';  // the letters, and the six signs between 'Z' and 'a'
  static bool in_table(char c) { return c >= kFirst && c <= kLast; }

  std::array<simdjson::dom::element, kLast - kFirst + 1> values_;
  std::array<bool, kLast - kFirst + 1> found_{};
};

// `where` prefixes the field in errors ("k." inside a candle, "" at the event's top level).
// `Fields`: a simdjson object, or OneLetterFields.
template <typename Fields>
Result<double> decimal_field(const Fields& o, const char* where, const char* field, const char* name) {
  std::string_view text;
  if (o[field].get_string().get(text)) return fail(ErrorCode::corrupt_data, "{}{} ({}): expected a decimal string", where, field, name);
  if (auto parsed = core::parse_decimal(text)) return *parsed;
  return fail(ErrorCode::corrupt_data, "{}{} ({}): '{}' is not a decimal", where, field, name, core::excerpt(text));
}

template <typename Fields>
Result<int64_t> integer_field(const Fields& o, const char* where, const char* field, const char* name) {
  int64_t value = 0;
  if (o[field].get_int64().get(value)) return fail(ErrorCode::corrupt_data, "{}{} ({}): expected an integer", where, field, name);
  return value;
}

template <typename Fields>
Result<core::Symbol> symbol_field(const Fields& o, const char* where) {
  std::string_view text;
  if (o["s"].get_string().get(text)) return fail(ErrorCode::corrupt_data, "{}s (symbol): expected a string", where);
  return core::Symbol::parse(text);
}

}  // namespace

std::string_view market_of_source(std::string_view source) {
  if (source.ends_with("_um")) return "um";
  if (source.ends_with("_cm")) return "cm";
  return "spot";
}

Result<std::optional<core::Kline>> parse_ws_kline(simdjson::dom::element payload, std::string_view source, core::Timestamp received_at) {
  TRY_ASSIGN(const simdjson::dom::object event, event_of(payload, "kline"));
  simdjson::dom::object candle;
  if (event["k"].get_object().get(candle)) return fail(ErrorCode::corrupt_data, "no k (the candle) in the kline event");
  const OneLetterFields k(candle);
  bool closed = false;
  if (k["x"].get_bool().get(closed)) return fail(ErrorCode::corrupt_data, "k.x (closed): expected true or false");
  if (!closed) return std::optional<core::Kline>();
  std::string_view interval;
  if (k["i"].get_string().get(interval)) return fail(ErrorCode::corrupt_data, "k.i (interval): expected a string");
  core::Kline kline;
  TRY_ASSIGN(kline.symbol, symbol_field(k, "k."));
  kline.source = std::string(source);
  kline.interval = std::string(interval);
  kline.received_at = received_at;
  TRY_ASSIGN(const int64_t open_time, integer_field(k, "k.", "t", "open_time"));
  TRY_ASSIGN(const int64_t close_time, integer_field(k, "k.", "T", "close_time"));
  kline.open_time = core::Timestamp::from_epoch_auto(open_time);
  kline.close_time = core::Timestamp::from_epoch_auto(close_time);
  TRY_ASSIGN(kline.open, decimal_field(k, "k.", "o", "open"));
  TRY_ASSIGN(kline.high, decimal_field(k, "k.", "h", "high"));
  TRY_ASSIGN(kline.low, decimal_field(k, "k.", "l", "low"));
  TRY_ASSIGN(kline.close, decimal_field(k, "k.", "c", "close"));
  TRY_ASSIGN(kline.volume, decimal_field(k, "k.", "v", "volume"));
  TRY_ASSIGN(kline.quote_volume, decimal_field(k, "k.", "q", "quote_volume"));
  TRY_ASSIGN(kline.trades, integer_field(k, "k.", "n", "trades"));
  TRY_ASSIGN(kline.taker_buy_base, decimal_field(k, "k.", "V", "taker_buy_base"));
  TRY_ASSIGN(kline.taker_buy_quote, decimal_field(k, "k.", "Q", "taker_buy_quote"));
  TRY(check_kline(kline));
  return std::optional<core::Kline>(std::move(kline));
}

Result<core::Trade> parse_ws_trade(simdjson::dom::element payload, std::string_view source, core::Timestamp received_at) {
  TRY_ASSIGN(const simdjson::dom::object event, event_of(payload, "trade"));
  std::string_view kind;
  if (event["e"].get_string().get(kind) || (kind != "trade" && kind != "aggTrade")) {
    return fail(ErrorCode::corrupt_data, "e (event type): expected trade or aggTrade");
  }
  core::Trade trade;
  trade.source = std::string(source);
  trade.kind = std::string(kind);
  trade.received_at = received_at;
  TRY_ASSIGN(trade.symbol, symbol_field(event, ""));
  if (kind == "trade") {
    TRY_ASSIGN(trade.trade_id, integer_field(event, "", "t", "trade_id"));
  } else {
    TRY_ASSIGN(trade.trade_id, integer_field(event, "", "a", "agg_trade_id"));
    TRY_ASSIGN(trade.first_trade_id, integer_field(event, "", "f", "first_trade_id"));
    TRY_ASSIGN(trade.last_trade_id, integer_field(event, "", "l", "last_trade_id"));
  }
  TRY_ASSIGN(const int64_t trade_time, integer_field(event, "", "T", "trade_time"));
  TRY_ASSIGN(const int64_t event_time, integer_field(event, "", "E", "event_time"));
  trade.trade_time = core::Timestamp::from_epoch_auto(trade_time);
  trade.event_time = core::Timestamp::from_epoch_auto(event_time);
  TRY_ASSIGN(trade.price, decimal_field(event, "", "p", "price"));
  TRY_ASSIGN(trade.quantity, decimal_field(event, "", "q", "quantity"));
  if (event["m"].get_bool().get(trade.buyer_is_maker)) return fail(ErrorCode::corrupt_data, "m (buyer is maker): expected true or false");
  if (!(trade.price > 0)) return fail(ErrorCode::corrupt_data, "p (price): must be positive");
  if (!(trade.quantity >= 0)) return fail(ErrorCode::corrupt_data, "q (quantity): must not be negative");
  return trade;
}

Result<core::Quote> parse_ws_book_ticker(simdjson::dom::element payload, std::string_view source, core::Timestamp received_at) {
  TRY_ASSIGN(const simdjson::dom::object event, event_of(payload, "bookTicker"));
  core::Quote quote;
  quote.source = std::string(source);
  quote.received_at = received_at;
  TRY_ASSIGN(quote.symbol, symbol_field(event, ""));
  TRY_ASSIGN(quote.update_id, integer_field(event, "", "u", "update_id"));
  TRY_ASSIGN(quote.bid_price, decimal_field(event, "", "b", "bid_price"));
  TRY_ASSIGN(quote.bid_qty, decimal_field(event, "", "B", "bid_qty"));
  TRY_ASSIGN(quote.ask_price, decimal_field(event, "", "a", "ask_price"));
  TRY_ASSIGN(quote.ask_qty, decimal_field(event, "", "A", "ask_qty"));
  int64_t event_time = 0;
  if (!event["E"].get_int64().get(event_time)) quote.event_time = core::Timestamp::from_epoch_auto(event_time);
  if (!(quote.bid_price > 0) || !(quote.ask_price > 0)) return fail(ErrorCode::corrupt_data, "b/a (best bid/ask): prices must be positive");
  if (!(quote.bid_qty >= 0) || !(quote.ask_qty >= 0)) return fail(ErrorCode::corrupt_data, "B/A (sizes): must not be negative");
  return quote;
}

}  // namespace cryptolake::sources::binance
