#include "analytics/sentiment_scorer.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace cryptolake::analytics {

namespace {

// Valences from -4 (worst) to +4 (best), chosen for how crypto posts use the words.
const std::unordered_map<std::string_view, double>& lexicon() {
  static const std::unordered_map<std::string_view, double> words = {
      // crypto
      {"moon", 2.6}, {"mooning", 2.8}, {"moonshot", 2.3}, {"hodl", 1.4}, {"hodling", 1.4}, {"rekt", -2.8},
      {"fud", -1.8}, {"bullish", 2.6}, {"bull", 1.6}, {"bulls", 1.3}, {"bearish", -2.6}, {"bear", -1.4},
      {"bears", -1.1}, {"pump", 1.5}, {"pumping", 2.0}, {"pumped", 1.6}, {"dump", -2.0}, {"dumping", -2.4},
      {"dumped", -2.1}, {"rug", -3.0}, {"rugged", -3.2}, {"rugpull", -3.4}, {"scam", -3.2}, {"scammer", -3.2},
      {"scammers", -3.2}, {"ponzi", -3.0}, {"ath", 2.2}, {"dip", -0.8}, {"dips", -0.8}, {"wagmi", 2.4},
      {"ngmi", -2.4}, {"lambo", 2.0}, {"gm", 0.8}, {"fomo", -0.4}, {"capitulation", -2.6}, {"breakout", 2.2},
      {"breaking", 0.6}, {"crash", -3.0}, {"crashed", -3.0}, {"crashing", -3.1}, {"bleeding", -2.5},
      {"bloodbath", -3.2}, {"surge", 2.0}, {"surging", 2.2}, {"rally", 2.1}, {"rallying", 2.2}, {"plunge", -2.6},
      {"plunging", -2.7}, {"tank", -2.0}, {"tanking", -2.4}, {"liquidated", -2.6}, {"liquidation", -2.0},
      {"hack", -2.8}, {"hacked", -3.0}, {"exploit", -2.5}, {"exploited", -2.7}, {"adoption", 1.6},
      {"undervalued", 1.8}, {"overvalued", -1.5}, {"bagholder", -2.0}, {"bagholders", -2.0}, {"shitcoin", -2.5},
      {"dead", -2.6}, {"weak", -1.8}, {"heavy", -1.0}, {"strong", 1.9}, {"momentum", 1.2}, {"recovery", 1.8},
      {"recovering", 1.7}, {"uptrend", 2.0}, {"downtrend", -2.0}, {"green", 1.3}, {"red", -1.1}, {"gains", 2.0},
      {"gain", 1.6}, {"losses", -2.0}, {"loss", -1.8}, {"profit", 2.0}, {"profits", 2.0}, {"bottom", -0.6},
      {"accumulate", 1.2}, {"accumulating", 1.2}, {"sell-off", -2.2}, {"selloff", -2.2}, {"panic", -2.6},
      {"fear", -2.2}, {"greed", -0.8}, {"euphoria", 2.0}, {"winning", 2.4}, {"rip", -1.8},
      // general
      {"good", 1.9}, {"great", 3.1}, {"awesome", 3.1}, {"amazing", 2.8}, {"excellent", 3.2}, {"best", 3.2},
      {"better", 1.9}, {"love", 3.2}, {"loving", 2.9}, {"like", 1.5}, {"happy", 2.7}, {"nice", 1.8},
      {"cool", 1.3}, {"win", 2.8}, {"won", 2.7}, {"success", 2.7}, {"successful", 2.8}, {"exciting", 2.2},
      {"excited", 2.3}, {"bright", 1.9}, {"optimistic", 2.2}, {"confident", 2.2}, {"huge", 1.3}, {"wow", 2.0},
      {"fantastic", 3.0}, {"solid", 1.6}, {"safe", 1.6}, {"beautiful", 2.9}, {"perfect", 2.7}, {"thanks", 1.9},
      {"thank", 1.5}, {"up", 0.9}, {"higher", 1.2}, {"rise", 1.5}, {"rising", 1.6}, {"soar", 2.3}, {"soaring", 2.4},
      {"bad", -2.5}, {"worse", -2.1}, {"worst", -3.1}, {"terrible", -2.9}, {"awful", -2.9}, {"horrible", -2.9},
      {"hate", -2.7}, {"ugly", -2.3}, {"sad", -2.1}, {"angry", -2.3}, {"afraid", -2.0}, {"scared", -2.0},
      {"worried", -1.7}, {"worry", -1.7}, {"risky", -1.2}, {"risk", -0.8}, {"fail", -2.5}, {"failed", -2.4},
      {"failure", -2.6}, {"lose", -2.0}, {"losing", -2.2}, {"lost", -1.9}, {"down", -1.0}, {"lower", -1.0},
      {"fall", -1.4}, {"falling", -1.7}, {"fell", -1.5}, {"drop", -1.3}, {"dropping", -1.6}, {"dropped", -1.5},
      {"disaster", -3.1}, {"broke", -1.9}, {"stupid", -2.4}, {"pathetic", -2.7}, {"useless", -2.4},
      {"pain", -2.3}, {"painful", -2.4}, {"sucks", -2.4}, {"disappointed", -2.1}, {"disappointing", -2.2},
      {"trouble", -1.8}, {"problem", -1.5}, {"problems", -1.6}, {"stuck", -1.5}, {"regret", -2.0},
      {"warning", -1.3}, {"doubt", -1.4}, {"avoid", -1.3}, {"ok", 0.9}, {"okay", 0.9}, {"fine", 0.8},
      {"lol", 1.2}, {"lmao", 1.4}, {"haha", 1.5}, {"yes", 1.0}, {"no", -1.0}, {"wrong", -2.1}, {"right", 0.5},
  };
  return words;
}

const std::unordered_map<std::string_view, double>& emoji() {
  static const std::unordered_map<std::string_view, double> marks = {
      {"🚀", 2.6}, {"📈", 2.2}, {"💎", 1.6}, {"🔥", 1.7}, {"🌕", 2.2}, {"🌙", 1.4}, {"💰", 1.8}, {"🤑", 2.0},
      {"😀", 2.1}, {"😃", 2.1}, {"😄", 2.2}, {"😁", 2.1}, {"😊", 2.0}, {"😍", 2.8}, {"🥳", 2.6}, {"🎉", 2.4},
      {"👍", 1.6}, {"💪", 1.7}, {"🙌", 2.0}, {"❤", 2.4}, {"✅", 1.2}, {"🟢", 1.2}, {"🐂", 1.8},
      {"📉", -2.2}, {"😡", -2.6}, {"😠", -2.4}, {"😭", -2.2}, {"😢", -2.0}, {"😱", -2.2}, {"💀", -1.8},
      {"🩸", -2.2}, {"👎", -1.7}, {"🤡", -1.8}, {"💩", -2.2}, {"🔴", -1.2}, {"🐻", -1.6}, {"😞", -2.0},
      {"😔", -1.8}, {"🤮", -2.6}, {"⚠", -1.2},
  };
  return marks;
}

constexpr std::array<std::string_view, 22> kNegators = {
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "isnt", "isn't", "dont",
    "don't", "doesnt", "doesn't", "didnt", "didn't", "cant", "can't", "wont", "won't", "aint"};

const std::unordered_map<std::string_view, double>& boosters() {
  static const std::unordered_map<std::string_view, double> words = {
      {"very", 0.29}, {"really", 0.29}, {"extremely", 0.35}, {"super", 0.29}, {"so", 0.25}, {"totally", 0.29},
      {"absolutely", 0.32}, {"incredibly", 0.32}, {"hugely", 0.29}, {"insanely", 0.32}, {"hella", 0.29},
      {"mega", 0.29}, {"af", 0.29}, {"most", 0.25}, {"massively", 0.32}, {"seriously", 0.25},
      {"slightly", -0.29}, {"somewhat", -0.29}, {"kinda", -0.29}, {"barely", -0.35}, {"little", -0.25},
      {"marginally", -0.29}, {"partly", -0.25}, {"sort", -0.2}};
  return words;
}

// A word or emoji of the post: a view into the lower-cased copy of its text.
struct Token {
  std::string_view lower;
  bool all_caps = false;
  bool is_emoji = false;
};

size_t utf8_length(unsigned char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

// ASCII classes without the C library's locale lookups (posts are scored by the million).
constexpr bool is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
constexpr bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// Splits into words (letters, digits, ' and -), emoji (any non-ASCII code point), and ! / ?.
// `lowered` receives the lower-cased text the tokens point into; both buffers are reused.
void tokenize(std::string_view text, std::string& lowered, std::vector<Token>& tokens) {
  lowered.assign(text);
  for (char& c : lowered) {
    if (is_upper(static_cast<unsigned char>(c))) c = static_cast<char>(c + ('a' - 'A'));
  }
  tokens.clear();
  size_t start = 0;
  bool in_word = false, caps = true;
  size_t letters = 0;
  const auto flush = [&](size_t end) {
    if (in_word) tokens.push_back({std::string_view(lowered).substr(start, end - start), caps && letters >= 2, false});
    in_word = false;
  };
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      flush(i);
      const size_t n = std::min(utf8_length(c), text.size() - i);
      tokens.push_back({std::string_view(lowered).substr(i, n), false, true});
      i += n;
      continue;
    }
    if (is_lower(c) || is_upper(c) || is_digit(c) || c == '\'' || c == '-') {
      if (!in_word) {
        in_word = true;
        start = i;
        caps = true;
        letters = 0;
      }
      if (is_lower(c)) {
        ++letters;
        caps = false;
      } else if (is_upper(c)) {
        ++letters;
      }
    } else {
      flush(i);
      if (c == '!' || c == '?') tokens.push_back({std::string_view(lowered).substr(i, 1), false, false});
    }
    ++i;
  }
  flush(text.size());
}

}  // namespace

SentimentLabel label_of(double compound) {
  if (compound >= 0.05) return SentimentLabel::positive;
  if (compound <= -0.05) return SentimentLabel::negative;
  return SentimentLabel::neutral;
}

Sentiment LexiconSentimentScorer::score(std::string_view text) const {
  static const auto& known_words = lexicon();
  static const auto& marks = emoji();
  static const auto& boost = boosters();
  // Per-thread buffers: scoring millions of posts must not allocate per post.
  thread_local std::string lowered;
  thread_local std::vector<Token> tokens;
  thread_local std::vector<double> valences;
  tokenize(text, lowered, tokens);
  const bool shouting_all = std::ranges::all_of(tokens, [](const Token& t) { return t.is_emoji || t.all_caps || t.lower.size() < 2; });
  valences.clear();
  size_t words = 0, exclamations = 0;
  std::optional<size_t> but_at;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.lower == "!") {
      ++exclamations;
      continue;
    }
    if (t.lower == "?") continue;
    ++words;
    if (t.lower == "but" && !but_at) but_at = valences.size();
    double v = 0;
    if (t.is_emoji) {
      if (auto it = marks.find(t.lower); it != marks.end()) v = it->second;
    } else if (auto it = known_words.find(t.lower); it != known_words.end()) {
      v = it->second;
      // A negator right after the word "no" etc. is handled below; "no" itself as a word is mild.
    }
    if (v != 0 && !t.is_emoji) {
      if (t.all_caps && !shouting_all) v += v > 0 ? 0.733 : -0.733;
      // Boosters and dampeners up to two words back, fading with distance.
      for (size_t back = 1; back <= 2 && back <= i; ++back) {
        if (auto b = boost.find(tokens[i - back].lower); b != boost.end()) {
          const double scale = back == 1 ? 1.0 : 0.95;
          v += (v > 0 ? b->second : -b->second) * scale;
        }
      }
      // Negation within the three words before flips and dampens.
      for (size_t back = 1; back <= 3 && back <= i; ++back) {
        if (std::ranges::find(kNegators, tokens[i - back].lower) != kNegators.end()) {
          v *= -0.74;
          break;
        }
      }
    }
    valences.push_back(v);
  }
  // "but": what comes after it counts more than what came before.
  if (but_at) {
    for (size_t k = 0; k < valences.size(); ++k) valences[k] *= k < *but_at ? 0.5 : 1.5;
  }
  double sum = 0, pos = 0, neg = 0;
  size_t neutral_count = 0;
  for (const double v : valences) {
    sum += v;
    if (v > 0) pos += v + 1;
    else if (v < 0) neg += v - 1;
    else ++neutral_count;
  }
  if (sum != 0) {
    const double emphasis = 0.292 * static_cast<double>(std::min<size_t>(exclamations, 4));
    sum += sum > 0 ? emphasis : -emphasis;
  }
  Sentiment s;
  s.compound = sum == 0 ? 0.0 : std::clamp(sum / std::sqrt(sum * sum + 15.0), -1.0, 1.0);
  const double total = pos + std::abs(neg) + static_cast<double>(neutral_count);
  if (total > 0) {
    s.positive = pos / total;
    s.negative = std::abs(neg) / total;
    s.neutral = static_cast<double>(neutral_count) / total;
  }
  (void)words;
  return s;
}

}  // namespace cryptolake::analytics
