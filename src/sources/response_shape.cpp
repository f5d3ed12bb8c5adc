#include "sources/response_shape.hpp"

namespace cryptolake::sources {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

bool has(object o, std::string_view key) { return o[key].error() == simdjson::SUCCESS; }

bool looks_like_post(object o) { return has(o, "text") || has(o, "full_text") || has(o, "content") || has(o, "tweet"); }

// The first element of an array, when there is one.
bool first_of(array items, element& first) {
  for (element item : items) {
    first = item;
    return true;
  }
  return false;
}

}  // namespace

ResponseShape detect_response_shape(element document) {
  array items;
  object o;
  if (document.get_array().get(items) == simdjson::SUCCESS) {
    element first;
    if (!first_of(items, first)) return ResponseShape::unknown;
    array row;
    if (first.get_array().get(row) == simdjson::SUCCESS) {
      int64_t open_ms = 0;
      return row.size() >= 6 && row.at(0).get_int64().get(open_ms) == simdjson::SUCCESS ? ResponseShape::binance_klines
                                                                                          : ResponseShape::unknown;
    }
    if (first.get_object().get(o) != simdjson::SUCCESS) return ResponseShape::unknown;
    if (has(o, "current_price") && has(o, "id") && has(o, "symbol")) return ResponseShape::coingecko_markets;
    return looks_like_post(o) ? ResponseShape::posts : ResponseShape::unknown;
  }
  if (document.get_object().get(o) != simdjson::SUCCESS) return ResponseShape::unknown;
  if (o["prices"].get_array().error() == simdjson::SUCCESS) return ResponseShape::coingecko_market_chart;
  if (o["bpi"].get_object().error() == simdjson::SUCCESS) return ResponseShape::bpi_currentprice;
  if (has(o, "symbol") && has(o, "lastPrice")) return ResponseShape::binance_ticker;
  if (has(o, "timezone") && o["symbols"].get_array().error() == simdjson::SUCCESS) return ResponseShape::binance_exchange_info;
  if (o["data"].get_array().get(items) == simdjson::SUCCESS) {
    element first;
    object item;
    if (!first_of(items, first) || first.get_object().get(item) != simdjson::SUCCESS) {
      return has(o, "meta") ? ResponseShape::x_v2_search : ResponseShape::unknown;
    }
    if (has(item, "priceUsd")) return has(item, "symbol") ? ResponseShape::coincap_assets : ResponseShape::coincap_history;
    if (has(item, "text")) return ResponseShape::x_v2_search;
    return ResponseShape::unknown;
  }
  // A search that found nothing has meta and no data.
  if (o["meta"]["result_count"].error() == simdjson::SUCCESS) return ResponseShape::x_v2_search;
  return looks_like_post(o) ? ResponseShape::posts : ResponseShape::unknown;
}

std::string_view describe(ResponseShape shape) {
  switch (shape) {
    case ResponseShape::coingecko_market_chart: return "a CoinGecko market_chart response";
    case ResponseShape::coingecko_markets: return "a CoinGecko coins/markets response";
    case ResponseShape::coincap_assets: return "a CoinCap assets response";
    case ResponseShape::coincap_history: return "a CoinCap asset history response";
    case ResponseShape::bpi_currentprice: return "a CoinDesk BPI currentprice response";
    case ResponseShape::binance_klines: return "a Binance klines response";
    case ResponseShape::binance_ticker: return "a Binance 24hr ticker response";
    case ResponseShape::binance_exchange_info: return "a Binance exchangeInfo response";
    case ResponseShape::x_v2_search: return "an X API v2 search response";
    case ResponseShape::posts: return "posts";
    case ResponseShape::unknown: break;
  }
  return "JSON of no known shape";
}

std::string_view importer_of(ResponseShape shape) {
  switch (shape) {
    case ResponseShape::coingecko_market_chart:
    case ResponseShape::coingecko_markets:
    case ResponseShape::coincap_assets:
    case ResponseShape::coincap_history:
    case ResponseShape::bpi_currentprice:
    case ResponseShape::binance_klines: return "import api-response";
    case ResponseShape::x_v2_search:
    case ResponseShape::posts: return "import posts";
    default: return "";
  }
}

}  // namespace cryptolake::sources
