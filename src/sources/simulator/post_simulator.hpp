// Social posts about the simulated coins, shaped for X API v2 search responses. Each hour's
// volume and tone follow that coin's hourly return `lead` earlier or later: with a positive lead
// the crowd anticipates the price, so later analysis has a real, known signal to find.
#pragma once

#include <string>
#include <vector>

#include "sources/simulator/market_simulator.hpp"

namespace cryptolake::sources::simulator {

struct SimulatedPost {
  std::string id;  // snowflake-style: increases with created_at
  core::Timestamp created_at;
  size_t coin = 0;  // index into the market's symbols
  std::string author_id;
  std::string text;
  std::string lang = "en";
  int64_t like_count = 0, retweet_count = 0, reply_count = 0, quote_count = 0;
  std::vector<std::string> hashtags, cashtags;
  double tone = 0;  // the tone the text was drawn with, in [-1, 1]
};

// Posts per coin and hour: [coin][hour], each hour sorted by created_at.
std::vector<std::vector<std::vector<SimulatedPost>>> simulate_posts(const MarketPaths& market, double posts_per_hour,
                                                                    int lead_minutes, uint64_t seed);

// The coin's common name used in texts ("bitcoin" for BTC).
std::string coin_name(std::string_view base);

}  // namespace cryptolake::sources::simulator
