// Binance market metadata beside the klines: 24-hour tickers for a list of symbols
// (/api/v3/ticker/24hr → market_ticks) and the exchange's symbol list (/api/v3/exchangeInfo).
#pragma once

#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/symbol.hpp"
#include "sources/service_session.hpp"

namespace cryptolake::sources::binance {

// ticker/24hr costs 2 per symbol up to 20 symbols, 40 up to 100, 80 beyond.
int64_t ticker_24hr_weight(size_t symbols);

[[nodiscard]] core::Status fetch_tickers_24hr(ServiceSession& session, const std::vector<core::Symbol>& symbols,
                                              std::stop_token stop = {});

struct ExchangeInfoFetch {
  std::string raw_key;
  std::optional<size_t> symbols;  // how many it lists, when the answer could be read
};
[[nodiscard]] core::Result<ExchangeInfoFetch> fetch_exchange_info(ServiceSession& session, std::stop_token stop = {});

}  // namespace cryptolake::sources::binance
