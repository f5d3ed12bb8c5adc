#include "sources/simulator/market_simulator.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "sources/simulator/random.hpp"

namespace cryptolake::sources::simulator {

AssetProfile profile_for(std::string_view base) {
  if (base == "BTC") return {42000.0, 2, 0.55, 0.95, 25.0};
  if (base == "ETH") return {2300.0, 2, 0.65, 0.85, 400.0};
  if (base == "SOL") return {100.0, 2, 0.90, 0.75, 9000.0};
  if (base == "BNB") return {310.0, 1, 0.55, 0.70, 1500.0};
  if (base == "XRP") return {0.62, 4, 0.70, 0.65, 900000.0};
  if (base == "ADA") return {0.59, 4, 0.80, 0.70, 700000.0};
  if (base == "DOGE") return {0.090, 5, 0.95, 0.65, 5000000.0};
  if (base == "AVAX") return {38.0, 2, 1.00, 0.70, 15000.0};
  return {10.0, 3, 0.90, 0.60, 50000.0};
}

namespace {

double round_to(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

// Relative activity by time of day (peak around 15:00 UTC, when US and EU overlap) and weekday.
double seasonality(core::Timestamp t) {
  const double hour = static_cast<double>(t.micros() - t.day_start().micros()) / core::Timestamp::kMicrosPerHour;
  const int64_t weekday = (t.days_since_epoch() + 4) % 7;  // 0 = Sunday
  const double weekend = (weekday == 0 || weekday == 6) ? 0.7 : 1.0;
  return weekend * (1.0 + 0.45 * std::cos(2 * std::numbers::pi * (hour - 15.0) / 24.0));
}

}  // namespace

MarketPaths simulate_market(const std::vector<core::Symbol>& symbols, core::Timestamp start, int64_t minutes,
                            uint64_t seed, int64_t first_minute) {
  constexpr double kMinutesPerYear = 525600.0;
  MarketPaths paths{symbols, start + first_minute * core::Timestamp::kMicrosPerMinute, std::vector<std::vector<Candle>>(symbols.size()), {}};
  std::vector<AssetProfile> profiles;
  std::vector<Random> rngs;
  std::vector<double> price;
  for (size_t i = 0; i < symbols.size(); ++i) {
    profiles.push_back(profile_for(symbols[i].base()));
    rngs.emplace_back(derive_seed(seed, 1000 + i));
    price.push_back(profiles[i].start_price);
    paths.price_decimals.push_back(profiles[i].price_decimals);
    paths.candles[i].reserve(static_cast<size_t>(minutes));
  }
  Random market(derive_seed(seed, 1));
  // GARCH(1,1) on the market shock; the long-run variance is 1, so each asset's annual volatility
  // sets the scale. alpha + beta close to 1: volatility clusters persist for hours.
  const double alpha = 0.06, beta = 0.93, omega = 1.0 - alpha - beta;
  double variance = 1.0, previous_shock = 0.0;
  for (int64_t m = 0; m < first_minute + minutes; ++m) {
    const core::Timestamp t = start + m * core::Timestamp::kMicrosPerMinute;
    variance = omega + alpha * previous_shock * previous_shock + beta * variance;
    const double regime = std::sqrt(variance);
    const double market_z = market.student_t4_unit();
    previous_shock = regime * market_z;
    const double season = seasonality(t);
    for (size_t i = 0; i < symbols.size(); ++i) {
      const AssetProfile& p = profiles[i];
      Random& rng = rngs[i];
      const double sigma = p.annual_volatility / std::sqrt(kMinutesPerYear) * regime * std::sqrt(season);
      const double rho = p.market_correlation;
      const double z = rho * market_z + std::sqrt(1 - rho * rho) * rng.student_t4_unit();
      const double log_return = sigma * z - 0.5 * sigma * sigma;
      const int decimals = p.price_decimals;
      const double tick = std::pow(10.0, -decimals);
      Candle c;
      c.open_time = t;
      c.open = round_to(price[i], decimals);
      price[i] *= std::exp(log_return);
      c.close = std::max(tick, round_to(price[i], decimals));
      const double wick_up = std::abs(rng.normal()) * sigma * 0.6;
      const double wick_down = std::abs(rng.normal()) * sigma * 0.6;
      c.high = round_to(std::max(c.open, c.close) * std::exp(wick_up), decimals);
      c.low = std::max(tick, round_to(std::min(c.open, c.close) * std::exp(-wick_down), decimals));
      c.high = std::max({c.high, c.open, c.close});
      c.low = std::min({c.low, c.open, c.close});
      // Volume follows activity and the size of the move, with lognormal noise.
      const double surprise = std::abs(log_return) / (p.annual_volatility / std::sqrt(kMinutesPerYear));
      const double volume = p.base_volume * season * (0.6 + 0.4 * surprise) * std::exp(0.35 * rng.normal() - 0.06);
      c.volume = round_to(volume, 5);
      const double vwap = (c.high + c.low + 2 * c.close) / 4;
      c.quote_volume = round_to(c.volume * vwap, 4);
      c.trades = std::max<int64_t>(1, static_cast<int64_t>(c.quote_volume / (vwap * p.base_volume / 900.0)));
      const double taker_share = std::clamp(0.5 + 0.1 * rng.normal() + (log_return > 0 ? 0.05 : -0.05), 0.05, 0.95);
      c.taker_buy_base = round_to(c.volume * taker_share, 5);
      c.taker_buy_quote = round_to(c.quote_volume * taker_share, 4);
      if (m >= first_minute) paths.candles[i].push_back(c);
    }
  }
  return paths;
}

}  // namespace cryptolake::sources::simulator
