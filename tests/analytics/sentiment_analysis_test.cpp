#include "analytics/sentiment_analysis.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace cryptolake::analytics {
namespace {

TEST(CoinTagger, CashtagsHashtagsNamesButNotAmbiguousWords) {
  const CoinTagger tagger(core::known_coins());
  EXPECT_EQ(tagger.tag("$BTC and #ethereum are up, solana too"), (std::vector<std::string>{"BTC", "ETH", "SOL"}));
  EXPECT_EQ(tagger.tag("Ether looks strong; bitcoin as well"), (std::vector<std::string>{"BTC", "ETH"}));
  // Short or ambiguous words count only with $ or #.
  EXPECT_TRUE(tagger.tag("the sol is shining, click the link, one near dot").empty());
  EXPECT_EQ(tagger.tag("$SOL and #link and $NEAR"), (std::vector<std::string>{"LINK", "NEAR", "SOL"}));
  EXPECT_EQ(tagger.tag("no mention here", {"DOGE"}, {"cardano"}), (std::vector<std::string>{"ADA", "DOGE"}));
  EXPECT_EQ(tagger.tag("Binance coin holders"), (std::vector<std::string>{"BNB"}));  // a two-word alias
}

TEST(Correlation, PearsonAndSpearmanByHand) {
  const std::vector<double> x = {1, 2, 3, 4, 5}, y = {2, 4, 6, 8, 10}, z = {1, 4, 9, 16, 100};
  EXPECT_NEAR(pearson(x, y), 1.0, 1e-12);
  EXPECT_NEAR(spearman(x, z), 1.0, 1e-12);  // monotone, not linear
  EXPECT_LT(pearson(x, z), 0.9);
  const std::vector<double> reversed = {5, 4, 3, 2, 1};
  EXPECT_NEAR(pearson(x, reversed), -1.0, 1e-12);
  EXPECT_NEAR(spearman({1, 2, 2, 3}, {1, 2, 2, 3}), 1.0, 1e-12);  // ties share a rank
}

TEST(Correlation, SummaryFindsAKnownLeadAndItsSignificance) {
  // Returns are noise; sentiment at hour h is the return of hour h + 3 plus noise.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::map<int64_t, double> returns, sentiment;
  for (int64_t h = 0; h < 500; ++h) returns[h] = noise(rng);
  for (int64_t h = 0; h + 3 < 500; ++h) sentiment[h] = returns[h + 3] + 0.8 * noise(rng);
  const CoinSummary s = summarize("BTC", "BTC-USDT", sentiment, returns, 200);
  EXPECT_EQ(s.best_lag, 3);
  EXPECT_GT(s.best_correlation, 0.6);
  EXPECT_LT(s.p_value, 0.01);
  EXPECT_LT(std::abs(s.pearson_same), 0.15);
  EXPECT_EQ(s.lag_correlation[3 + kMaxLagHours], s.best_correlation);
  // Unrelated series: no significant lag.
  std::map<int64_t, double> unrelated;
  for (int64_t h = 0; h < 500; ++h) unrelated[h] = noise(rng);
  EXPECT_GT(summarize("ETH", "ETH-USDT", unrelated, returns, 200).p_value, 0.01);
}

}  // namespace
}  // namespace cryptolake::analytics
