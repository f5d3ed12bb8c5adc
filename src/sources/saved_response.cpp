#include "sources/saved_response.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "core/excerpt.hpp"
#include "core/json_text.hpp"
#include "core/market.hpp"
#include "core/symbol.hpp"
#include "io/codec/sha256.hpp"
#include "sources/binance/kline_backfill.hpp"

namespace cryptolake::sources {

using core::ErrorCode;
using core::fail;

namespace {

struct Destination {
  std::string_view source, dataset;
};

std::optional<Destination> destination_of(ResponseShape shape) {
  switch (shape) {
    case ResponseShape::coingecko_market_chart: return Destination{"coingecko", "market_chart"};
    case ResponseShape::coingecko_markets: return Destination{"coingecko", "coins_markets"};
    case ResponseShape::coincap_assets: return Destination{"coincap", "assets"};
    case ResponseShape::coincap_history: return Destination{"coincap", "asset_history"};
    case ResponseShape::bpi_currentprice: return Destination{"bpi", "currentprice"};
    case ResponseShape::binance_klines: return Destination{"binance", "klines"};
    default: return std::nullopt;
  }
}

}  // namespace

core::Result<SavedResponse> saved_response_envelope(std::string_view file_name, std::string bytes, const SavedResponseOptions& options,
                                                    core::Timestamp now) {
  const std::string name = core::excerpt(file_name);
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (const auto error = parser.parse(bytes).get(document); error) {
    return fail(ErrorCode::corrupt_data, "{}: not JSON ({})", name, simdjson::error_message(error));
  }
  SavedResponse saved;
  saved.shape = detect_response_shape(document);
  const auto destination = destination_of(saved.shape);
  if (!destination) {
    const std::string_view importer = importer_of(saved.shape);
    return fail(ErrorCode::invalid_argument, "{}: {} is not a saved API response this command reads{}", name, describe(saved.shape),
                importer.empty() ? std::string(" (market_chart, coins/markets, CoinCap assets or history, BPI currentprice, Binance klines)")
                                 : fmt::format(": use `cryptolake {}`", importer));
  }
  if (!options.source.empty() && options.source != destination->source) {
    return fail(ErrorCode::invalid_argument, "{}: --source {} but the file is {}", name, core::excerpt(options.source), describe(saved.shape));
  }
  std::string request = fmt::format(R"({{"file":{},"sha256":"{}")", core::json_string(file_name), io::sha256_hex(bytes));
  switch (saved.shape) {
    case ResponseShape::coingecko_market_chart:
      if (options.coin.empty()) return fail(ErrorCode::invalid_argument, "{}: a market_chart response does not name its coin: give --coin (e.g. bitcoin)", name);
      request += fmt::format(R"(,"coin":{},"vs_currency":{})", core::json_string(options.coin), core::json_string(options.vs));
      break;
    case ResponseShape::coingecko_markets: request += fmt::format(R"(,"vs_currency":{})", core::json_string(options.vs)); break;
    case ResponseShape::coincap_history:
      if (options.symbol.empty()) return fail(ErrorCode::invalid_argument, "{}: a CoinCap history response does not name its asset: give --symbol (e.g. BTC)", name);
      request += fmt::format(R"(,"symbol":{},"interval":"h1")", core::json_string(options.symbol));
      break;
    case ResponseShape::binance_klines: {
      if (options.symbol.empty() || options.interval.empty()) {
        return fail(ErrorCode::invalid_argument, "{}: a Binance klines response does not say its pair or interval: give --symbol (e.g. BTCUSDT) and --interval (e.g. 1m)", name);
      }
      TRY_ASSIGN(const core::Symbol symbol, core::Symbol::parse(options.symbol));
      if (!binance::is_binance_interval(options.interval)) {
        return fail(ErrorCode::invalid_argument, "{}: --interval {} is not a Binance interval", name, core::excerpt(options.interval));
      }
      request += fmt::format(R"(,"symbol":{},"interval":{})", core::json_string(symbol.exchange()), core::json_string(options.interval));
      break;
    }
    default: break;
  }
  request += "}";
  saved.envelope = core::Envelope{now, std::string(destination->source), std::string(destination->dataset), std::move(request), std::move(bytes)};
  // Saved responses are often pretty-printed: those travel as text, byte for byte.
  saved.envelope.payload_is_json = saved.envelope.payload.find('\n') == std::string::npos;
  return saved;
}

}  // namespace cryptolake::sources
