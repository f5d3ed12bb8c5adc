// Which coins a post talks about: cashtags ($BTC), hashtags (#bitcoin, #btc) and names or
// aliases in the text (bitcoin, ether, solana …). Short or ambiguous words (sol, link, one,
// near, dot …) count only as cashtags or hashtags, never as plain words.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/known_coins.hpp"
#include "lake/curated_writer.hpp"
#include "lake/duckdb.hpp"
#include "lake/write_stats.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::analytics {

// Immutable after construction; thread-safe.
class CoinTagger {
 public:
  explicit CoinTagger(const std::vector<core::KnownCoin>& coins);

  // Coins (tickers, sorted, unique) mentioned by the post.
  std::vector<std::string> tag(std::string_view text, const std::vector<std::string>& cashtags = {},
                               const std::vector<std::string>& hashtags = {}) const;

 private:
  std::map<std::string, std::string, std::less<>> by_tag_;   // lower-case ticker or alias → coin
  std::map<std::string, std::string, std::less<>> by_word_;  // unambiguous words → coin
};

// dim_coin from the lake as KnownCoins (or the built-in list when the lake has none yet).
[[nodiscard]] core::Result<std::vector<core::KnownCoin>> load_coins(lake::ObjectStore& store, lake::DuckDb& duckdb);

}  // namespace cryptolake::analytics
