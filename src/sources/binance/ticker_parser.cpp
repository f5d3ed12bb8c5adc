#include "sources/binance/ticker_parser.hpp"

#include "core/decimal.hpp"
#include "sources/json_fields.hpp"

namespace cryptolake::sources::binance {

using core::ErrorCode;
using core::fail;

using sources::decimal_field;

namespace {

// Calls `one` for the object or each object of an array.
template <typename F>
core::Status each_object(simdjson::dom::element payload, std::vector<std::string>& rejected, F&& one) {
  if (payload.is_object()) {
    one(payload.get_object().value_unsafe());
    return {};
  }
  simdjson::dom::array items;
  if (payload.get_array().get(items)) return fail(ErrorCode::corrupt_data, "ticker payload is neither an object nor an array");
  for (simdjson::dom::element item : items) {
    if (!item.is_object()) {
      rejected.push_back("ticker is not an object\t" + simdjson::minify(item));
      continue;
    }
    one(item.get_object().value_unsafe());
  }
  return {};
}

}  // namespace

core::Status parse_ticker_price(simdjson::dom::element payload, core::Timestamp received_at, std::vector<core::Tick>& out,
                                std::vector<std::string>& rejected) {
  return each_object(payload, rejected, [&](simdjson::dom::object o) {
    std::string_view symbol_text;
    const auto price = decimal_field(o, "price");
    auto symbol = o["symbol"].get_string().get(symbol_text) ? core::Result<core::Symbol>(core::fail(ErrorCode::corrupt_data, "no symbol"))
                                                            : core::Symbol::parse(symbol_text);
    if (!symbol || !price || *price <= 0) {
      rejected.push_back(std::string(!symbol ? symbol.error().message : "price is not a positive decimal") + "\t" + simdjson::minify(o));
      return;
    }
    out.push_back({"binance", *symbol, received_at, *price, {}, {}, {}, {}, received_at});
  });
}

core::Status parse_ticker_24hr(simdjson::dom::element payload, core::Timestamp received_at, std::vector<core::Tick>& out,
                               std::vector<std::string>& rejected) {
  return each_object(payload, rejected, [&](simdjson::dom::object o) {
    std::string_view symbol_text;
    const auto price = decimal_field(o, "lastPrice");
    auto symbol = o["symbol"].get_string().get(symbol_text) ? core::Result<core::Symbol>(core::fail(ErrorCode::corrupt_data, "no symbol"))
                                                            : core::Symbol::parse(symbol_text);
    int64_t close_time = 0;
    if (!symbol || !price || *price <= 0 || o["closeTime"].get_int64().get(close_time)) {
      rejected.push_back(std::string(!symbol ? symbol.error().message : "lastPrice or closeTime missing") + "\t" + simdjson::minify(o));
      return;
    }
    out.push_back({"binance", *symbol, core::Timestamp::from_epoch_auto(close_time), *price, decimal_field(o, "volume"),
                   decimal_field(o, "quoteVolume"), decimal_field(o, "priceChangePercent"), std::nullopt, received_at});
  });
}

core::Result<std::vector<ExchangeSymbol>> parse_exchange_info(simdjson::dom::element payload) {
  simdjson::dom::array symbols;
  if (payload["symbols"].get_array().get(symbols)) return fail(ErrorCode::corrupt_data, "exchangeInfo without a symbols array");
  std::vector<ExchangeSymbol> out;
  for (simdjson::dom::element item : symbols) {
    std::string_view symbol, base, quote, status;
    if (item["symbol"].get_string().get(symbol) || item["baseAsset"].get_string().get(base) ||
        item["quoteAsset"].get_string().get(quote)) {
      continue;
    }
    if (item["status"].get_string().get(status)) status = "";
    out.push_back({std::string(symbol), std::string(base), std::string(quote), std::string(status)});
  }
  return out;
}

}  // namespace cryptolake::sources::binance
