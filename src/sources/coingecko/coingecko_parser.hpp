// CoinGecko (docs.coingecko.com):
//   GET /coins/list → [{"id","symbol","name"}] (12 k+ coins; ids may hold spaces, names emoji)
//   GET /coins/{id}/market_chart?vs_currency=usd&days=N (and /market_chart/range?from&to) →
//     {"prices":[[ms,v]…],"market_caps":[[ms,v]…],"total_volumes":[[ms,v]…]}
//   Granularity is automatic: 5-minute up to 1 day, hourly for 2–90 days, daily beyond.
#pragma once

#include <vector>

#include <simdjson.h>

#include "core/market.hpp"
#include "core/result.hpp"

namespace cryptolake::sources::coingecko {

struct CoinId {
  std::string id, symbol, name;
};

[[nodiscard]] core::Result<std::vector<CoinId>> parse_coins_list(simdjson::dom::element payload);

// Samples joined by timestamp across the three series; bad points go to `rejected` with a reason.
[[nodiscard]] core::Status parse_market_chart(simdjson::dom::element payload, std::string_view coin,
                                              std::string_view vs_currency, core::Timestamp received_at,
                                              std::vector<core::CoinStat>& out, std::vector<std::string>& rejected);

// The windows (from, to] of at most 90 days that cover [from, to) so /market_chart/range keeps
// hourly granularity.
std::vector<std::pair<core::Timestamp, core::Timestamp>> hourly_windows(core::Timestamp from, core::Timestamp to);

}  // namespace cryptolake::sources::coingecko
