// Sentiment of short social posts: a lexicon- and rule-based scorer in the spirit of VADER, with
// a crypto vocabulary (moon, hodl, rekt, fud, rug, wagmi, ngmi …) and emoji. Rules: negation
// flips and dampens, boosters and dampeners scale the next sentiment word, "but" shifts weight
// to what follows it, ALL-CAPS words and exclamation marks add emphasis. The compound score is
// normalised into [-1, 1]. Behind an interface so a model can replace it.
#pragma once

#include <string>
#include <string_view>

namespace cryptolake::analytics {

struct Sentiment {
  double compound = 0;  // [-1, 1]
  double positive = 0, negative = 0, neutral = 1;  // shares of the post's words, summing to 1
};

// Thread-safe: scoring has no state.
class SentimentScorer {
 public:
  virtual ~SentimentScorer() = default;
  virtual Sentiment score(std::string_view text) const = 0;
};

class LexiconSentimentScorer final : public SentimentScorer {
 public:
  Sentiment score(std::string_view text) const override;
};

// 3-class label as commonly used with such scores: compound ≥ 0.05 positive, ≤ -0.05 negative.
enum class SentimentLabel { negative, neutral, positive };
SentimentLabel label_of(double compound);

}  // namespace cryptolake::analytics
