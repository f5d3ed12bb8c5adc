#include "sources/simulator/post_simulator.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "sources/simulator/random.hpp"

namespace cryptolake::sources::simulator {

std::string coin_name(std::string_view base) {
  if (base == "BTC") return "bitcoin";
  if (base == "ETH") return "ethereum";
  if (base == "SOL") return "solana";
  if (base == "BNB") return "bnb";
  if (base == "XRP") return "ripple";
  if (base == "ADA") return "cardano";
  if (base == "DOGE") return "dogecoin";
  if (base == "AVAX") return "avalanche";
  std::string lower(base);
  std::ranges::transform(lower, lower.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

namespace {

// {C} cashtag, {N} name, {H} hashtag word. Tagged texts carry their entities.
constexpr std::array kBullish = {
    "${C} breaking out, this looks very bullish 🚀 #{H}",
    "Just bought more ${C}. {N} to the moon!",
    "HODL ${C}, wagmi 💎 #{H}",
    "{N} pumping hard today, great momentum 📈 ${C}",
    "Love this ${C} rally, new ATH soon? #crypto",
    "Strong buyers on ${C}, easily my best trade this week",
    "#{H} is looking amazing right now, so bullish on ${C}",
};
constexpr std::array kBearish = {
    "${C} dumping hard, I got rekt 📉 #{H}",
    "Selling my ${C}, this chart is bearish",
    "{N} crash incoming? ngmi #crypto",
    "Another ugly dip for ${C}... panic and fud everywhere",
    "${C} looks terrible, worst week in months #{H}",
    "Not buying ${C} here, feels like a rug 😡",
    "#{H} bleeding again, ${C} weak and heavy",
};
constexpr std::array kNeutral = {
    "What do you think about ${C} this week? #{H}",
    "{N} hourly volume report ${C}",
    "Watching the ${C} chart, no clear direction yet",
    "New {N} article out today, worth a read #{H}",
    "${C} and #{H} trending again on my feed",
};

std::string fill(std::string_view pattern, const std::string& cashtag, const std::string& name,
                 const std::string& hashtag, SimulatedPost& post) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}') {
      const char key = pattern[i + 1];
      if (key == 'C') {
        out += cashtag;
        post.cashtags.push_back(cashtag);
      } else if (key == 'N') {
        std::string capital = name;
        capital[0] = static_cast<char>(std::toupper(capital[0]));
        out += capital;
      } else if (key == 'H') {
        out += hashtag;
        post.hashtags.push_back(hashtag);
      }
      i += 2;
    } else {
      if (pattern[i] == '#' && pattern.substr(i, 7) == "#crypto") post.hashtags.push_back("crypto");
      out += pattern[i];
    }
  }
  return out;
}

}  // namespace

std::vector<std::vector<std::vector<SimulatedPost>>> simulate_posts(const MarketPaths& market, double posts_per_hour,
                                                                    int lead_minutes, uint64_t seed) {
  constexpr int64_t kTwitterEpochMs = 1288834974657;
  const size_t coins = market.symbols.size();
  const size_t minutes = coins == 0 ? 0 : market.candles[0].size();
  const size_t hours = minutes / 60;
  const int lead_hours = static_cast<int>(std::lround(lead_minutes / 60.0));
  std::vector<std::vector<std::vector<SimulatedPost>>> posts(coins, std::vector<std::vector<SimulatedPost>>(hours));
  for (size_t c = 0; c < coins; ++c) {
    const auto& candles = market.candles[c];
    std::vector<double> hourly_return(hours, 0.0);
    double sum_sq = 0;
    for (size_t h = 0; h < hours; ++h) {
      hourly_return[h] = std::log(candles[h * 60 + 59].close / candles[h * 60].open);
      sum_sq += hourly_return[h] * hourly_return[h];
    }
    const double sigma = hours ? std::max(1e-9, std::sqrt(sum_sq / static_cast<double>(hours))) : 1.0;
    Random rng(derive_seed(seed, 5000 + c));
    const std::string base = market.symbols[c].base();
    const std::string name = coin_name(base);
    uint64_t sequence = 0;
    for (size_t h = 0; h < hours; ++h) {
      // The crowd at hour h reacts to the return at hour h + lead.
      const auto driver_hour = static_cast<int64_t>(h) + lead_hours;
      const double driver = (driver_hour >= 0 && driver_hour < static_cast<int64_t>(hours))
                                ? hourly_return[static_cast<size_t>(driver_hour)] / sigma
                                : 0.0;
      const double tone = std::tanh(1.2 * driver);
      const uint64_t count = rng.poisson(posts_per_hour * (1.0 + 0.8 * std::abs(driver)));
      const core::Timestamp hour_start = market.start + static_cast<int64_t>(h) * core::Timestamp::kMicrosPerHour;
      std::vector<SimulatedPost>& out = posts[c][h];
      for (uint64_t k = 0; k < count; ++k) {
        SimulatedPost post;
        post.coin = c;
        // Whole milliseconds, as the X API reports them.
        post.created_at = hour_start + static_cast<int64_t>(rng.below(3600 * 1000)) * 1000;
        post.tone = tone;
        const double u = rng.uniform();
        const double p_bull = 0.4 * (1 + tone), p_bear = 0.4 * (1 - tone);
        const std::string cashtag = base;
        const std::string hashtag = rng.uniform() < 0.5 ? name : base;
        if (u < p_bull) post.text = fill(kBullish[rng.below(kBullish.size())], cashtag, name, hashtag, post);
        else if (u < p_bull + p_bear) post.text = fill(kBearish[rng.below(kBearish.size())], cashtag, name, hashtag, post);
        else post.text = fill(kNeutral[rng.below(kNeutral.size())], cashtag, name, hashtag, post);
        post.author_id = fmt::format("{}", 1000000 + rng.below(700));
        post.like_count = static_cast<int64_t>(rng.poisson(3.0 + 20.0 * std::abs(tone)));
        post.retweet_count = static_cast<int64_t>(rng.poisson(1.0 + 5.0 * std::abs(tone)));
        post.reply_count = static_cast<int64_t>(rng.poisson(1.0));
        post.quote_count = static_cast<int64_t>(rng.poisson(0.3));
        out.push_back(std::move(post));
      }
      std::ranges::sort(out, {}, &SimulatedPost::created_at);
      for (SimulatedPost& post : out) {
        const int64_t ms = post.created_at.millis() - kTwitterEpochMs;
        post.id = fmt::format("{}", (ms << 22) | static_cast<int64_t>((c << 12) | (sequence++ & 0xfff)));
      }
    }
  }
  return posts;
}

}  // namespace cryptolake::sources::simulator
