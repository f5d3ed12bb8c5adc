// The sentiment ↔ price answer:
//   sentiment_hourly         per coin and hour: posts, mean compound, positive/negative share,
//                            engagement-weighted mean (weights 1 + likes + 2 × retweets)
//   sentiment_price          sentiment_hourly joined to that coin's hourly log return and volume
//                            (its USDT pair, else USD), and the next hour's return
//   sentiment_price_summary  per coin: Pearson and Spearman correlation of sentiment with the
//                            same-hour and the next-hour return, the cross-correlation for lags
//                            −6…+6 hours (lag k pairs sentiment at h with the return at h + k, so a
//                            positive best lag means sentiment leads price), the best lag, the
//                            sample size, and a permutation-test p-value for the best lag.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "analytics/coin_tagger.hpp"
#include "analytics/sentiment_scorer.hpp"
#include "core/post_enricher.hpp"
#include "lake/curated_writer.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "lake/write_stats.hpp"

namespace cryptolake::analytics {

// Tags coins and scores sentiment while posts are transformed. Thread-safe.
class PostSentimentEnricher final : public core::PostEnricher {
 public:
  PostSentimentEnricher(CoinTagger tagger, std::unique_ptr<SentimentScorer> scorer)
      : tagger_(std::move(tagger)), scorer_(std::move(scorer)) {}
  void enrich(core::Post& post) const override;

 private:
  CoinTagger tagger_;
  std::unique_ptr<SentimentScorer> scorer_;
};

inline constexpr int kMaxLagHours = 6;
// Below this many hours a correlation says little: such summaries are marked low_sample.
inline constexpr size_t kMinSampleHours = 48;

struct CoinSummary {
  std::string coin, symbol;
  size_t hours = 0;  // hours with both sentiment and a return
  double pearson_same = 0, spearman_same = 0, pearson_next = 0, spearman_next = 0;
  std::array<double, 2 * kMaxLagHours + 1> lag_correlation{};  // index k + 6
  int best_lag = 0;
  double best_correlation = 0;
  double p_value = 1;  // permutation test of the best lag's correlation
  bool low_sample() const { return hours < kMinSampleHours; }
};

double pearson(const std::vector<double>& x, const std::vector<double>& y);
double spearman(const std::vector<double>& x, const std::vector<double>& y);

// Summary of one coin from its hourly sentiment and returns (hour index → value; missing hours
// are absent). `permutations` shuffles for the p-value, seeded for repeatable results.
CoinSummary summarize(std::string coin, std::string symbol, const std::map<int64_t, double>& sentiment,
                      const std::map<int64_t, double>& returns, int permutations = 500);

[[nodiscard]] core::Result<lake::WriteStats> build_sentiment_tables(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                                       size_t threads);

}  // namespace cryptolake::analytics
