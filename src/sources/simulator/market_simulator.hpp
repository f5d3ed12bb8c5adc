// Price and volume paths of 1-minute candles for several assets at once: GARCH(1,1) volatility
// clustering on a common market factor, Student-t shocks (fat tails), per-asset correlation to
// the market, and intraday/weekly volume seasonality. Pure and deterministic for a seed.
#pragma once

#include <string>
#include <vector>

#include "core/symbol.hpp"
#include "core/timestamp.hpp"

namespace cryptolake::sources::simulator {

struct Candle {
  core::Timestamp open_time;
  double open = 0, high = 0, low = 0, close = 0;  // rounded to the asset's tick
  double volume = 0, quote_volume = 0;
  int64_t trades = 0;
  double taker_buy_base = 0, taker_buy_quote = 0;
};

struct AssetProfile {
  double start_price;
  int price_decimals;
  double annual_volatility;
  double market_correlation;
  double base_volume;  // base-asset units per minute in an average minute
};

// Known profiles for the default coins; other bases get a generic one.
AssetProfile profile_for(std::string_view base);

struct MarketPaths {
  std::vector<core::Symbol> symbols;
  core::Timestamp start;                     // of candles[…][0]
  std::vector<std::vector<Candle>> candles;  // [symbol][minute]
  std::vector<int> price_decimals;           // per symbol
};

// The `minutes` candles from minute `first_minute` of the market that begins at `start` (the
// earlier minutes are simulated, so the path is the same, but not kept).
MarketPaths simulate_market(const std::vector<core::Symbol>& symbols, core::Timestamp start, int64_t minutes,
                            uint64_t seed, int64_t first_minute = 0);

}  // namespace cryptolake::sources::simulator
