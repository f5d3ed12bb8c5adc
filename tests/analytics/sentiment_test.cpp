#include "analytics/sentiment_scorer.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>

namespace cryptolake::analytics {
namespace {

const LexiconSentimentScorer kScorer;

double compound(std::string_view text) { return kScorer.score(text).compound; }

TEST(SentimentScorer, CryptoWordsCarryTone) {
  EXPECT_GT(compound("$BTC to the moon"), 0.4);
  EXPECT_GT(compound("hodl, wagmi"), 0.4);
  EXPECT_LT(compound("got rekt on that rug"), -0.6);
  EXPECT_LT(compound("pure fud and a scam"), -0.6);
  EXPECT_EQ(compound("Bitcoin block 840000 mined"), 0.0);
}

TEST(SentimentScorer, RulesNegationBoostersButCapsPunctuationEmoji) {
  EXPECT_LT(compound("not bullish"), 0);                                 // negation flips
  EXPECT_GT(compound("very bullish"), compound("bullish"));              // boosters add
  EXPECT_LT(compound("slightly bullish"), compound("bullish"));          // dampeners take away
  EXPECT_LT(compound("looked great but now it is a disaster"), -0.3);    // "but" shifts the weight
  EXPECT_GT(compound("this is BULLISH today"), compound("this is bullish today"));  // caps emphasise
  EXPECT_GT(compound("bullish!!!"), compound("bullish"));                // exclamation emphasises
  EXPECT_GT(compound("ETH 🚀🚀"), 0.5);
  EXPECT_LT(compound("ETH 📉😭"), -0.5);
  const Sentiment mixed = kScorer.score("good coin, bad week, whatever");
  EXPECT_NEAR(mixed.positive + mixed.negative + mixed.neutral, 1.0, 1e-12);
  EXPECT_GT(mixed.positive, 0);
  EXPECT_GT(mixed.negative, 0);
}

// The README quotes these scores; they are the scorer's contract with its readers.
TEST(SentimentScorer, TheReadmesExamplesScoreAsPrinted) {
  EXPECT_NEAR(compound("$BTC to the moon"), 0.56, 0.005);
  EXPECT_NEAR(compound("not bullish"), -0.44, 0.005);
  EXPECT_NEAR(compound("got rekt on that rug"), -0.83, 0.005);
  EXPECT_EQ(compound("Bitcoin block 840000 mined"), 0.0);
}

// A negation reaches three words back: "not" still flips "bullish" across two words between.
TEST(SentimentScorer, NegationReachesThreeWordsBackAndNoFurther) {
  EXPECT_LT(compound("not at all bullish"), 0);
  EXPECT_LT(compound("not so very bullish"), 0);
  EXPECT_GT(compound("not that i care, still bullish"), 0);  // four words back: out of reach
}

TEST(SentimentScorer, ThreeClassAccuracyOnTheHandLabelledSetIsWhatTheReadmeSays) {
  std::ifstream in(CRYPTOLAKE_TEST_DATA "/labelled_posts.tsv");
  ASSERT_TRUE(in);
  size_t total = 0, correct = 0;
  std::map<std::string, std::pair<size_t, size_t>> per_class;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::string label = line.substr(0, line.find('\t'));
    const std::string text = line.substr(line.find('\t') + 1);
    const SentimentLabel got = label_of(compound(text));
    const std::string got_text = got == SentimentLabel::positive ? "pos" : got == SentimentLabel::negative ? "neg" : "neu";
    ++total;
    ++per_class[label].second;
    if (got_text == label) {
      ++correct;
      ++per_class[label].first;
    } else {
      std::cout << "  miss (" << label << " → " << got_text << "): " << text << "\n";
    }
  }
  ASSERT_EQ(total, 200u);
  const double accuracy = static_cast<double>(correct) / static_cast<double>(total);
  std::cout << "3-class accuracy: " << correct << "/" << total << " = " << accuracy * 100 << " %";
  for (const auto& [label, counts] : per_class) std::cout << "; " << label << " " << counts.first << "/" << counts.second;
  std::cout << "\n";
  EXPECT_GE(correct, 192u) << "the README says 96 % (192/200)";
  EXPECT_GE(accuracy, 0.96);
}

}  // namespace
}  // namespace cryptolake::analytics
