#include "analytics/coin_tagger.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "lake/partition_writer.hpp"
#include "lake/layout.hpp"

namespace cryptolake::analytics {

namespace {

// Words that are coin names but mean other things in ordinary English.
constexpr std::array<std::string_view, 18> kAmbiguous = {"sol", "link", "one", "near", "dot", "ada", "op", "arb", "atom",
                                                         "uni", "gas", "ton", "sand", "mana", "ape", "bnb", "trx", "avalanche"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return out;
}

}  // namespace

CoinTagger::CoinTagger(const std::vector<core::KnownCoin>& coins) {
  for (const core::KnownCoin& c : coins) {
    by_tag_[lower(c.coin)] = c.coin;
    for (const std::string& alias : c.aliases) {
      const std::string a = lower(alias);
      by_tag_.emplace(a, c.coin);
      const bool ambiguous = std::ranges::find(kAmbiguous, a) != kAmbiguous.end();
      // Tickers of 3 letters or fewer are too easy to meet by chance ("eth" is safe enough).
      if (!ambiguous && (a.size() >= 4 || a == "btc" || a == "eth" || a == "xrp" || a == "xbt")) by_word_.emplace(a, c.coin);
    }
  }
}

std::vector<std::string> CoinTagger::tag(std::string_view text, const std::vector<std::string>& cashtags,
                                         const std::vector<std::string>& hashtags) const {
  std::set<std::string> found;
  const auto by_tag = [&](std::string_view t) {
    if (auto it = by_tag_.find(lower(t)); it != by_tag_.end()) found.insert(it->second);
  };
  for (const auto& t : cashtags) by_tag(t);
  for (const auto& t : hashtags) by_tag(t);
  // Walk the text: $TAG and #tag by the tag table, plain words and two-word names by the word table.
  std::vector<std::pair<char, std::string>> words;  // prefix ('$', '#' or ' '), word
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    char prefix = ' ';
    if ((c == '$' || c == '#') && i + 1 < text.size() && std::isalpha(static_cast<unsigned char>(text[i + 1]))) {
      prefix = c;
      ++i;
    }
    if (std::isalnum(static_cast<unsigned char>(text[i]))) {
      size_t j = i;
      while (j < text.size() && std::isalnum(static_cast<unsigned char>(text[j]))) ++j;
      words.emplace_back(prefix, lower(text.substr(i, j - i)));
      i = j;
    } else {
      ++i;
    }
  }
  for (size_t k = 0; k < words.size(); ++k) {
    const auto& [prefix, word] = words[k];
    if (prefix != ' ') {
      by_tag(word);
    } else if (auto it = by_word_.find(word); it != by_word_.end()) {
      found.insert(it->second);
    } else if (k + 1 < words.size() && words[k + 1].first == ' ') {
      if (auto two = by_word_.find(word + " " + words[k + 1].second); two != by_word_.end()) found.insert(two->second);
    }
  }
  return {found.begin(), found.end()};
}

core::Result<std::vector<core::KnownCoin>> load_coins(lake::ObjectStore& store, lake::DuckDb& duckdb) {
  if (store.list(lake::layout::table_prefix("dim_coin")).value_or(std::vector<std::string>{}).empty()) return core::known_coins();
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  TRY_ASSIGN(lake::QueryResult result, connection.query(fmt::format(
      "SELECT coin, name, coingecko_id, coincap_id, array_to_string(aliases, chr(31)) FROM read_parquet({}) ORDER BY coin",
      lake::sql_string(lake::table_glob(store, "dim_coin")))));
  std::vector<core::KnownCoin> coins;
  for (size_t r = 0; r < result.row_count(); ++r) {
    core::KnownCoin coin{result.text(0, r), result.text(1, r), result.text(2, r), result.text(3, r), {}};
    const std::string aliases = result.text(4, r);
    for (size_t start = 0; start <= aliases.size();) {
      const size_t end = std::min(aliases.find('\x1f', start), aliases.size());
      if (end > start) coin.aliases.push_back(aliases.substr(start, end - start));
      start = end + 1;
    }
    coins.push_back(std::move(coin));
  }
  return coins;
}

}  // namespace cryptolake::analytics
