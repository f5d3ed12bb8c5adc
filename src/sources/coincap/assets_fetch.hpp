// Fetching CoinCap v3: /assets (the top assets, or the ids asked for) and, optionally, each
// asset's hourly /assets/{id}/history. History items do not name their asset, so each request
// records the symbol /assets gave for its id.
#pragma once

#include <stop_token>
#include <string>
#include <vector>

#include "sources/service_session.hpp"

namespace cryptolake::sources::coincap {

// CoinCap's endpoint: calls per minute; v3 wants the API key as a Bearer token.
ServiceEndpoint coincap_endpoint(std::string base_url, int64_t calls_per_minute, std::string api_key = {});

struct AssetsFetch {
  size_t assets = 0;     // assets in the /assets answer
  size_t histories = 0;  // history responses landed
};

[[nodiscard]] core::Result<AssetsFetch> fetch_assets(ServiceSession& session, const std::vector<std::string>& ids, bool history,
                                                     std::stop_token stop = {});

}  // namespace cryptolake::sources::coincap
