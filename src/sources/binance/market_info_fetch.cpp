#include "sources/binance/market_info_fetch.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "sources/binance/ticker_parser.hpp"

namespace cryptolake::sources::binance {

int64_t ticker_24hr_weight(size_t symbols) {
  return symbols <= 20 ? 2 * static_cast<int64_t>(symbols) : symbols <= 100 ? 40 : 80;
}

core::Status fetch_tickers_24hr(ServiceSession& session, const std::vector<core::Symbol>& symbols, std::stop_token stop) {
  std::string list;
  for (const core::Symbol& symbol : symbols) list += fmt::format("{}\"{}\"", list.empty() ? "" : ",", symbol.exchange());
  TRY(session.get("/api/v3/ticker/24hr?symbols=" + io::url_encode("[" + list + "]"), ticker_24hr_weight(symbols.size()),
                  io::Priority::live, "ticker_24hr", fmt::format(R"({{"endpoint":"/api/v3/ticker/24hr","symbols":[{}]}})", list), stop));
  return {};
}

core::Result<ExchangeInfoFetch> fetch_exchange_info(ServiceSession& session, std::stop_token stop) {
  TRY_ASSIGN(const FetchedResponse fetched,
             session.get("/api/v3/exchangeInfo", 20, io::Priority::live, "exchange_info", R"({"endpoint":"/api/v3/exchangeInfo"})", stop));
  ExchangeInfoFetch fetch{fetched.raw_key, std::nullopt};
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (!parser.parse(fetched.response.body).get(doc)) {
    if (auto listed = parse_exchange_info(doc)) fetch.symbols = listed->size();
  }
  return fetch;
}

}  // namespace cryptolake::sources::binance
