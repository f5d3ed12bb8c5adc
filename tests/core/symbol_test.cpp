#include "core/symbol.hpp"

#include <gtest/gtest.h>

#include "core/market.hpp"

namespace cryptolake::core {
namespace {

std::string canonical(std::string_view text) {
  auto symbol = Symbol::parse(text);
  return symbol ? symbol->canonical() : "error: " + symbol.error().message;
}

TEST(Symbol, SplitsExchangeSymbolsAtTheLongestKnownQuote) {
  EXPECT_EQ(canonical("BTCUSDT"), "BTC-USDT");
  EXPECT_EQ(canonical("ethbtc"), "ETH-BTC");
  EXPECT_EQ(canonical("BNBFDUSD"), "BNB-FDUSD");  // not BNBFD-USD
  EXPECT_EQ(canonical("ADABTC"), "ADA-BTC");
  EXPECT_EQ(canonical("RUNEEUR"), "RUNE-EUR");
  EXPECT_EQ(canonical("BTCTRY"), "BTC-TRY");
  EXPECT_EQ(canonical("USDCUSDT"), "USDC-USDT");
}

TEST(Symbol, AcceptsSeparatedForms) {
  EXPECT_EQ(canonical("btc/usdt"), "BTC-USDT");
  EXPECT_EQ(canonical("BTC_USDT"), "BTC-USDT");
  EXPECT_EQ(canonical("sol-usdc"), "SOL-USDC");
  EXPECT_EQ(Symbol::parse("BTC-USDT")->exchange(), "BTCUSDT");
}

TEST(Symbol, RejectsWhatItCannotSplit) {
  EXPECT_FALSE(Symbol::parse("USDT"));     // a quote alone leaves no base
  EXPECT_FALSE(Symbol::parse("FOOBAR"));   // no known quote
  EXPECT_FALSE(Symbol::parse("BTC-"));
  EXPECT_FALSE(Symbol::parse("BT C"));
  EXPECT_FALSE(Symbol::parse(""));
}

TEST(Interval, LengthsOfBinanceIntervals) {
  EXPECT_EQ(interval_micros("1s"), 1'000'000);
  EXPECT_EQ(interval_micros("1m"), 60'000'000);
  EXPECT_EQ(interval_micros("4h"), 4 * 3'600'000'000LL);
  EXPECT_EQ(interval_micros("1w"), 7 * 86'400'000'000LL);
  EXPECT_EQ(interval_micros("1M"), 0);
  EXPECT_EQ(interval_micros("x"), 0);
}

}  // namespace
}  // namespace cryptolake::core
