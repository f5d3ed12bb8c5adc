// Value types of market data, as every source's parser produces them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/symbol.hpp"
#include "core/timestamp.hpp"

namespace cryptolake::core {

// What one candle says, without whose it is: fixed-size, so millions can be held and sorted
// without a string each (the ETL keeps the series once, as an id).
struct KlineValues {
  Timestamp open_time;
  Timestamp close_time;
  double open = 0, high = 0, low = 0, close = 0;
  double volume = 0, quote_volume = 0;
  int64_t trades = 0;
  double taker_buy_base = 0, taker_buy_quote = 0;
  Timestamp received_at;  // when cryptolake received it; the latest wins on duplicates
};

// One candle, identified by (source, symbol, interval, open_time).
struct Kline : KlineValues {
  std::string source;
  Symbol symbol;
  std::string interval;  // Binance spelling: 1s, 1m, 5m, 1h, 1d, 1w, 1M
};

// One spot-price observation (ticker, BPI rate, CoinCap asset); what a source does not say is
// left empty.
struct Tick {
  std::string source;
  Symbol symbol;
  Timestamp ts;
  double price = 0;
  std::optional<double> volume_24h, quote_volume_24h, change_pct_24h, market_cap;
  Timestamp received_at;
};

// One exchange trade, as a trade stream ("trade": one fill) or an aggregated-trade stream
// ("aggTrade": the fills of one taker order at one price) reported it.
struct Trade {
  std::string source;  // "binance" (spot), "binance_um" (USDⓈ-M futures), …
  Symbol symbol;
  std::string kind;      // "trade" or "aggTrade"
  int64_t trade_id = 0;  // t of a trade, a of an aggTrade
  Timestamp trade_time;  // T
  Timestamp event_time;  // E
  double price = 0, quantity = 0;
  bool buyer_is_maker = false;                           // m
  std::optional<int64_t> first_trade_id, last_trade_id;  // f, l of an aggTrade
  Timestamp received_at;
};

// The best bid and ask of one book after update `update_id`.
struct Quote {
  std::string source;
  Symbol symbol;
  int64_t update_id = 0;  // u
  double bid_price = 0, bid_qty = 0, ask_price = 0, ask_qty = 0;
  std::optional<Timestamp> event_time;  // E: futures send it, spot bookTicker does not
  Timestamp received_at;
};

// CoinGecko market_chart sample for one coin (prices in the vs currency).
struct CoinStat {
  std::string coin;  // CoinGecko id: "bitcoin"
  std::string vs_currency;
  Timestamp ts;
  std::optional<double> price, market_cap, total_volume;
  Timestamp received_at;
};

// A social post (tweet, Reddit submission).
struct Post {
  std::string platform;  // "x", "reddit"
  std::string post_id;
  Timestamp created_at;
  std::string author_id;
  std::string text;        // as the source wrote it (HTML entities decoded once curated)
  std::string text_clean;  // for tagging and sentiment: URLs as <url>, whitespace collapsed
  std::string lang;
  int64_t like_count = 0, retweet_count = 0, reply_count = 0, quote_count = 0;
  std::string hashtags;  // entities joined by kListSeparator, as the source tagged them
  std::string cashtags;
  bool is_retweet = false;
  std::string retweet_of;            // the original's id, when the source says
  std::optional<std::string> coins;  // tickers joined by kListSeparator, once tagged
  std::optional<double> sentiment;   // compound score in [-1, 1], once scored
  std::string extra;                 // fields the model has no column for, as a JSON object, or empty
  Timestamp received_at;
};

inline constexpr char kListSeparator = '\x1f';
// The items of a list joined by kListSeparator; none for an empty text.
std::vector<std::string_view> split_list(std::string_view joined);

// Length of one candle of a Binance interval in µs, or 0 for calendar months and unknown text.
int64_t interval_micros(std::string_view interval);

}  // namespace cryptolake::core
