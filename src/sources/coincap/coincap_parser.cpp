#include "sources/coincap/coincap_parser.hpp"

#include "core/decimal.hpp"
#include "sources/json_fields.hpp"

namespace cryptolake::sources::coincap {

using core::ErrorCode;
using core::fail;
using sources::decimal_field;

namespace {

// Every number is a string here; nulls are allowed.
std::optional<double> number(simdjson::dom::object o, std::string_view key) { return decimal_field(o, key); }

core::Result<simdjson::dom::array> data_array(simdjson::dom::element payload) {
  simdjson::dom::array data;
  if (payload["data"].get_array().get(data)) return fail(ErrorCode::corrupt_data, "CoinCap response without a data array");
  return data;
}

}  // namespace

core::Result<std::vector<AssetRef>> parse_asset_refs(simdjson::dom::element payload) {
  TRY_ASSIGN(const simdjson::dom::array data, data_array(payload));
  std::vector<AssetRef> refs;
  for (simdjson::dom::element asset : data) {
    std::string_view id, symbol, name;
    if (asset["id"].get_string().get(id) || asset["symbol"].get_string().get(symbol) || asset["name"].get_string().get(name)) continue;
    refs.push_back({std::string(id), std::string(symbol), std::string(name)});
  }
  return refs;
}

core::Status parse_assets(simdjson::dom::element payload, core::Timestamp received_at, std::vector<core::Tick>& out,
                          std::vector<std::string>& rejected) {
  TRY_ASSIGN(const simdjson::dom::array data, data_array(payload));
  int64_t stamp = 0;
  const core::Timestamp ts =
      payload["timestamp"].get_int64().get(stamp) == simdjson::SUCCESS ? core::Timestamp::from_epoch_auto(stamp) : received_at;
  for (simdjson::dom::element item : data) {
    simdjson::dom::object asset;
    std::string_view symbol_text;
    if (item.get_object().get(asset) || asset["symbol"].get_string().get(symbol_text)) {
      rejected.push_back("asset without a symbol\t" + simdjson::minify(item));
      continue;
    }
    const auto price = number(asset, "priceUsd");
    auto symbol = core::Symbol::parse(std::string(symbol_text) + "-USD");
    if (!symbol || !price || *price <= 0) {
      rejected.push_back(std::string(!symbol ? symbol.error().message : "priceUsd is not a positive decimal") + "\t" +
                         simdjson::minify(item));
      continue;
    }
    out.push_back({"coincap", *symbol, ts, *price, number(asset, "volumeUsd24Hr"), std::nullopt,
                   number(asset, "changePercent24Hr"), number(asset, "marketCapUsd"), received_at});
  }
  return {};
}

core::Status parse_history(simdjson::dom::element payload, std::string_view symbol_text, core::Timestamp received_at,
                           std::vector<core::Tick>& out, std::vector<std::string>& rejected) {
  TRY_ASSIGN(const simdjson::dom::array data, data_array(payload));
  TRY_ASSIGN(const core::Symbol symbol, core::Symbol::parse(std::string(symbol_text) + "-USD"));
  for (simdjson::dom::element item : data) {
    simdjson::dom::object point;
    int64_t time = 0;
    if (item.get_object().get(point) || point["time"].get_int64().get(time)) {
      rejected.push_back("history point without time\t" + simdjson::minify(item));
      continue;
    }
    const auto price = number(point, "priceUsd");
    if (!price || *price <= 0) {
      rejected.push_back("priceUsd is not a positive decimal\t" + simdjson::minify(item));
      continue;
    }
    out.push_back({"coincap", symbol, core::Timestamp::from_epoch_auto(time), *price, {}, {}, {}, {}, received_at});
  }
  return {};
}

}  // namespace cryptolake::sources::coincap
