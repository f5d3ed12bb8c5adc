// CoinCap v3 (rest.coincap.io/v3, API key required; v2 was retired in 2025), same shapes as v2:
//   GET /assets → {"data":[{"id","rank","symbol","name","supply","maxSupply","marketCapUsd",
//                  "volumeUsd24Hr","priceUsd","changePercent24Hr","vwap24Hr"}],"timestamp":ms}
//   GET /assets/{id}/history?interval=h1 → {"data":[{"priceUsd","time","circulatingSupply","date"}],"timestamp":ms}
// Every number is a string; nulls are allowed.
#pragma once

#include <vector>

#include <simdjson.h>

#include "core/market.hpp"
#include "core/result.hpp"

namespace cryptolake::sources::coincap {

// An asset as /assets names it: CoinCap's id (for /assets/{id}/history), ticker symbol and name.
struct AssetRef {
  std::string id;
  std::string symbol;
  std::string name;
};
// Every asset of an /assets answer that has an id, a symbol and a name.
[[nodiscard]] core::Result<std::vector<AssetRef>> parse_asset_refs(simdjson::dom::element payload);

// Ticks priced in USD as <SYMBOL>-USD; bad items to `rejected` as "reason\ttext".
[[nodiscard]] core::Status parse_assets(simdjson::dom::element payload, core::Timestamp received_at,
                                        std::vector<core::Tick>& out, std::vector<std::string>& rejected);
// History of one asset; `symbol` is the asset's ticker symbol (the history items do not say).
[[nodiscard]] core::Status parse_history(simdjson::dom::element payload, std::string_view symbol,
                                         core::Timestamp received_at, std::vector<core::Tick>& out,
                                         std::vector<std::string>& rejected);

}  // namespace cryptolake::sources::coincap
