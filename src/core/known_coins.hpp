// The coins cryptolake knows by heart (the majors and their usual nicknames): the seed of dim_coin
// and of post tagging before the lake has market data.
#pragma once

#include <string>
#include <vector>

namespace cryptolake::core {

struct KnownCoin {
  std::string coin;  // ticker, upper case: BTC
  std::string name;  // Bitcoin
  std::string coingecko_id, coincap_id;
  std::vector<std::string> aliases;  // lower case words and tags that mean this coin
};

const std::vector<KnownCoin>& known_coins();

}  // namespace cryptolake::core
