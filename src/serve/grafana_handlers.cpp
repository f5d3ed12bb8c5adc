#include "serve/grafana_handlers.hpp"

#include <set>

#include <fmt/format.h>
#include <simdjson.h>

#include "core/json_text.hpp"
#include "core/symbol.hpp"
#include "core/timestamp.hpp"

namespace cryptolake::serve::grafana {

using core::ErrorCode;
using core::fail;
using core::Timestamp;

io::ServerResponse health() { return {200, "application/json", "{\"status\":\"ok\"}\n", {}}; }

io::ServerResponse metric_names() {
  return {200, "application/json",
          R"([{"label":"close","value":"close"},{"label":"ma_5","value":"ma_5"},{"label":"ma_long","value":"ma_long"},)"
          R"({"label":"volume","value":"volume"},{"label":"rolling_std","value":"rolling_std"}])" "\n", {}};
}

core::Result<io::ServerResponse> symbols(const TableQueries& tables) {
  TRY(tables.needs("agg_market_daily"));
  return tables.json("SELECT DISTINCT symbol AS __text, symbol AS __value FROM agg_market_daily ORDER BY 1");
}

core::Result<io::ServerResponse> query(const TableQueries& tables, const io::ServerRequest& request) {
  TRY(tables.needs("market_features"));
  simdjson::dom::parser parser;
  simdjson::dom::element body;
  if (parser.parse(request.body).get(body)) return fail(ErrorCode::invalid_argument, "the body must be the JSON Grafana sends");
  std::string_view from_text, to_text;
  if (body.at_pointer("/range/from").get_string().get(from_text) || body.at_pointer("/range/to").get_string().get(to_text)) {
    return fail(ErrorCode::invalid_argument, "range.from and range.to are required");
  }
  const auto from = Timestamp::parse_iso(from_text), to = Timestamp::parse_iso(to_text);
  if (!from || !to) return fail(ErrorCode::invalid_argument, "range.from/range.to must be ISO-8601");
  int64_t max_points = 1000;
  if (body["maxDataPoints"].get_int64().get(max_points) || max_points < 1) max_points = 1000;
  simdjson::dom::array targets;
  if (body["targets"].get_array().get(targets)) return fail(ErrorCode::invalid_argument, "targets must be an array");
  std::string out = "[";
  for (simdjson::dom::element t : targets) {
    std::string_view metric, symbol_text = "BTC-USDT";
    if (t["target"].get_string().get(metric)) continue;
    if (t.at_pointer("/payload/symbol").get_string().get(symbol_text) != simdjson::SUCCESS) symbol_text = "BTC-USDT";
    static const std::set<std::string_view> kColumns = {"close", "ma_5", "ma_long", "volume", "rolling_std"};
    if (!kColumns.contains(metric)) return fail(ErrorCode::invalid_argument, "target {}: not one of /api/grafana/metrics", metric);
    auto symbol = core::Symbol::parse(symbol_text);
    if (!symbol) return fail(ErrorCode::invalid_argument, "payload.symbol {}: {}", symbol_text, symbol.error().message);
    auto rows = tables.rows(fmt::format(
        "SELECT {0}, epoch_ms(open_time) FROM (SELECT *, row_number() OVER (ORDER BY open_time) AS n, count(*) OVER () AS total "
        "FROM market_features WHERE symbol = {1} AND open_time >= {2}::TIMESTAMPTZ AND open_time < {3}::TIMESTAMPTZ) "
        "WHERE n % greatest(1, total // {4}) = 0 ORDER BY open_time",
        lake::sql_identifier(metric), lake::sql_string(symbol->canonical()), from->sql_literal(), to->sql_literal(), max_points));
    if (!rows) return error_response(400, rows.error().message);
    out += fmt::format("{}{{\"target\":{},\"datapoints\":[", out.size() > 1 ? "," : "",
                       core::json_string(fmt::format("{} {}", symbol->canonical(), metric)));
    for (size_t i = 0; i < rows->rows.size(); ++i) {
      out += fmt::format("{}[{},{}]", i ? "," : "", rows->rows[i][0].value_or("null"), rows->rows[i][1].value_or("0"));
    }
    out += "]}";
  }
  return io::ServerResponse{200, "application/json", out + "]\n", {}};
}

}  // namespace cryptolake::serve::grafana
