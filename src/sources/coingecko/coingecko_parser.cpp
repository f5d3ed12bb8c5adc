#include "sources/coingecko/coingecko_parser.hpp"

#include <map>

#include "core/excerpt.hpp"

namespace cryptolake::sources::coingecko {

using core::ErrorCode;
using core::fail;
using core::Timestamp;

core::Result<std::vector<CoinId>> parse_coins_list(simdjson::dom::element payload) {
  simdjson::dom::array items;
  if (payload.get_array().get(items)) return fail(ErrorCode::corrupt_data, "coins/list is not an array");
  std::vector<CoinId> coins;
  for (simdjson::dom::element item : items) {
    std::string_view id, symbol, name;
    if (item["id"].get_string().get(id) || item["symbol"].get_string().get(symbol) || item["name"].get_string().get(name)) continue;
    coins.push_back({std::string(id), std::string(symbol), std::string(name)});
  }
  return coins;
}

core::Status parse_market_chart(simdjson::dom::element payload, std::string_view coin, std::string_view vs_currency,
                                Timestamp received_at, std::vector<core::CoinStat>& out, std::vector<std::string>& rejected) {
  if (!payload.is_object()) return fail(ErrorCode::corrupt_data, "market_chart is not an object");
  std::map<int64_t, core::CoinStat> by_time;
  const auto read = [&](const char* key, std::optional<double> core::CoinStat::*field) -> core::Status {
    simdjson::dom::array points;
    const auto error = payload[key].get_array().get(points);
    if (error == simdjson::NO_SUCH_FIELD) return {};
    if (error) return fail(ErrorCode::corrupt_data, "market_chart '{}' is not an array", core::excerpt(key));
    for (simdjson::dom::element point : points) {
      int64_t ms = 0;
      double value = 0;
      simdjson::dom::array pair;
      if (point.get_array().get(pair) || pair.size() != 2 || pair.at(0).get_int64().get(ms)) {
        rejected.push_back(std::string(key) + ": point is not [ms, value]\t" + simdjson::minify(point));
        continue;
      }
      core::CoinStat& stat = by_time[ms];
      stat.ts = Timestamp::from_epoch_auto(ms);
      if (pair.at(1).get_double().get(value) == simdjson::SUCCESS) stat.*field = value;  // null stays empty
    }
    return {};
  };
  TRY(read("prices", &core::CoinStat::price));
  TRY(read("market_caps", &core::CoinStat::market_cap));
  TRY(read("total_volumes", &core::CoinStat::total_volume));
  for (auto& [ms, stat] : by_time) {
    stat.coin = coin;
    stat.vs_currency = vs_currency;
    stat.received_at = received_at;
    out.push_back(std::move(stat));
  }
  return {};
}

std::vector<std::pair<Timestamp, Timestamp>> hourly_windows(Timestamp from, Timestamp to) {
  constexpr int64_t kWindow = 90 * Timestamp::kMicrosPerDay;
  std::vector<std::pair<Timestamp, Timestamp>> windows;
  for (Timestamp start = from; start < to; start = start + kWindow) windows.emplace_back(start, std::min(to, start + kWindow));
  return windows;
}

}  // namespace cryptolake::sources::coingecko
