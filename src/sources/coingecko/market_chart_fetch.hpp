// Fetching CoinGecko market charts: /coins/{id}/market_chart for the last N days, or
// /market_chart/range in 90-day windows for a long hourly history, and optionally /coins/list.
// Every answer lands through the session's raw sink; the transform turns it into coin_stats.
#pragma once

#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/timestamp.hpp"
#include "sources/service_session.hpp"

namespace cryptolake::sources::coingecko {

// CoinGecko's endpoint: calls per minute; a demo key, or a pro key when `pro`.
ServiceEndpoint coingecko_endpoint(std::string base_url, int64_t calls_per_minute, std::string api_key = {}, bool pro = false);

struct MarketChartRequest {
  std::vector<std::string> coins;  // CoinGecko ids: bitcoin, ethereum, …
  std::string vs = "usd";
  std::string days = "30";              // a count, or "max"; used when `from` is not given
  std::optional<core::Timestamp> from;  // a long history from here …
  core::Timestamp to;                   // … to here
  bool list = false;                    // also land /coins/list
};

struct MarketChartFetch {
  int64_t charts = 0;                 // responses landed for market charts
  std::optional<size_t> listed_coins; // ids in /coins/list, when asked
  std::string list_key;               // where /coins/list landed
};

[[nodiscard]] core::Result<MarketChartFetch> fetch_market_charts(ServiceSession& session, const MarketChartRequest& request,
                                                                 std::stop_token stop = {});

}  // namespace cryptolake::sources::coingecko
