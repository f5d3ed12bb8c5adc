#include "sources/coingecko/market_chart_fetch.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "core/json_text.hpp"
#include "sources/coingecko/coingecko_parser.hpp"

namespace cryptolake::sources::coingecko {

ServiceEndpoint coingecko_endpoint(std::string base_url, int64_t calls_per_minute, std::string api_key, bool pro) {
  ServiceEndpoint endpoint = service_endpoint("coingecko", std::move(base_url), calls_per_minute);
  if (!api_key.empty()) endpoint.headers.emplace_back(pro ? "x-cg-pro-api-key" : "x-cg-demo-api-key", std::move(api_key));
  return endpoint;
}

core::Result<MarketChartFetch> fetch_market_charts(ServiceSession& session, const MarketChartRequest& request,
                                                   std::stop_token stop) {
  MarketChartFetch fetch;
  if (request.list) {
    TRY_ASSIGN(const FetchedResponse listed,
               session.get("/coins/list", 1, io::Priority::backfill, "coins_list", R"({"endpoint":"/coins/list"})", stop));
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(listed.response.body).get(doc)) return core::fail(core::ErrorCode::corrupt_data, "coins/list: not JSON");
    TRY_ASSIGN(const std::vector<CoinId> coins, parse_coins_list(doc));
    fetch.listed_coins = coins.size();
    fetch.list_key = listed.raw_key;
  }
  for (const std::string& coin : request.coins) {
    std::vector<std::pair<std::string, std::string>> pages;  // path, request JSON
    const std::string id = io::url_encode(coin);
    if (request.from) {
      // Long hourly histories: /market_chart/range in windows of at most 90 days.
      for (const auto& [a, b] : hourly_windows(*request.from, request.to)) {
        const int64_t from_s = a.micros() / core::Timestamp::kMicrosPerSecond, to_s = b.micros() / core::Timestamp::kMicrosPerSecond;
        pages.emplace_back(fmt::format("/coins/{}/market_chart/range?vs_currency={}&from={}&to={}", id, request.vs, from_s, to_s),
                           fmt::format(R"({{"endpoint":"/coins/{{id}}/market_chart/range","coin":{},"vs_currency":"{}","from":{},"to":{}}})",
                                       core::json_string(coin), request.vs, from_s, to_s));
      }
    } else {
      pages.emplace_back(fmt::format("/coins/{}/market_chart?vs_currency={}&days={}", id, io::url_encode(request.vs), request.days),
                         fmt::format(R"({{"endpoint":"/coins/{{id}}/market_chart","coin":{},"vs_currency":{},"days":{}}})",
                                     core::json_string(coin), core::json_string(request.vs), core::json_string(request.days)));
    }
    for (const auto& [path, request_json] : pages) {
      TRY(session.get(path, 1, io::Priority::backfill, "market_chart", request_json, stop));
      ++fetch.charts;
    }
  }
  return fetch;
}

}  // namespace cryptolake::sources::coingecko
