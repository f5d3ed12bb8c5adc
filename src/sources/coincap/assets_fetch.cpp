#include "sources/coincap/assets_fetch.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>

#include "core/json_text.hpp"
#include "sources/coincap/coincap_parser.hpp"

namespace cryptolake::sources::coincap {

ServiceEndpoint coincap_endpoint(std::string base_url, int64_t calls_per_minute, std::string api_key) {
  ServiceEndpoint endpoint = service_endpoint("coincap", std::move(base_url), calls_per_minute);
  if (!api_key.empty()) endpoint.headers.emplace_back("Authorization", fmt::format("Bearer {}", api_key));
  return endpoint;
}

core::Result<AssetsFetch> fetch_assets(ServiceSession& session, const std::vector<std::string>& ids, bool history,
                                       std::stop_token stop) {
  std::string path = "/assets";
  if (!ids.empty()) path += "?ids=" + io::url_encode(fmt::format("{}", fmt::join(ids, ",")));
  TRY_ASSIGN(const FetchedResponse assets, session.get(path, 1, io::Priority::live, "assets", R"({"endpoint":"/assets"})", stop));
  // The answer landed whatever it holds (the transform quarantines what is bad); only the
  // history needs it read here.
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const bool json = parser.parse(assets.response.body).get(doc) == simdjson::SUCCESS;
  core::Result<std::vector<AssetRef>> refs = core::fail(core::ErrorCode::corrupt_data, "/assets: not JSON");
  if (json) refs = parse_asset_refs(doc);
  AssetsFetch fetch{refs ? refs->size() : 0, 0};
  if (!history) return fetch;
  if (!refs) return std::unexpected(refs.error());
  for (const AssetRef& asset : *refs) {
    const std::string request = fmt::format(R"({{"endpoint":"/assets/{{id}}/history","id":{},"symbol":{},"interval":"h1"}})",
                                            core::json_string(asset.id), core::json_string(asset.symbol));
    TRY(session.get(fmt::format("/assets/{}/history?interval=h1", io::url_encode(asset.id)), 1, io::Priority::backfill,
                    "asset_history", request, stop));
    ++fetch.histories;
  }
  return fetch;
}

}  // namespace cryptolake::sources::coincap
