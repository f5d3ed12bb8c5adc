// API responses people kept on disk (notebooks, repos, Kaggle), landed as the live connectors
// land theirs: one envelope in the same raw dataset, so the same transforms read it. The
// envelope's request says it came from a file (name and sha256) and carries what the response
// itself does not say (CoinGecko's coin and currency, Binance's symbol and interval).
#pragma once

#include <string>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "core/envelope.hpp"
#include "sources/response_shape.hpp"

namespace cryptolake::sources {

struct SavedResponseOptions {
  std::string source;     // coingecko, coincap, bpi or binance; empty: from the shape
  std::string coin;       // CoinGecko coin id (market_chart)
  std::string vs = "usd"; // CoinGecko vs_currency
  std::string symbol;     // Binance symbol (klines) or CoinCap asset symbol (history)
  std::string interval;   // Binance interval (klines)
};

struct SavedResponse {
  ResponseShape shape = ResponseShape::unknown;
  core::Envelope envelope;
};

// Detects the file's shape (it must belong to options.source when given) and builds its
// envelope; a file of no importable shape, or missing options, is a clear error.
[[nodiscard]] core::Result<SavedResponse> saved_response_envelope(std::string_view file_name, std::string bytes,
                                                                  const SavedResponseOptions& options, core::Timestamp now);

}  // namespace cryptolake::sources
