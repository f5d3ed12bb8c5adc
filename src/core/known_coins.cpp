#include "core/known_coins.hpp"

namespace cryptolake::core {

const std::vector<KnownCoin>& known_coins() {
  static const std::vector<KnownCoin> coins = {
      {"BTC", "Bitcoin", "bitcoin", "bitcoin", {"bitcoin", "btc", "xbt", "sats"}},
      {"ETH", "Ethereum", "ethereum", "ethereum", {"ethereum", "eth", "ether"}},
      {"SOL", "Solana", "solana", "solana", {"solana", "sol"}},
      {"BNB", "BNB", "binancecoin", "binance-coin", {"bnb", "binance coin"}},
      {"XRP", "XRP", "ripple", "xrp", {"xrp", "ripple"}},
      {"ADA", "Cardano", "cardano", "cardano", {"cardano", "ada"}},
      {"DOGE", "Dogecoin", "dogecoin", "dogecoin", {"dogecoin", "doge"}},
      {"AVAX", "Avalanche", "avalanche-2", "avalanche", {"avalanche", "avax"}},
      {"DOT", "Polkadot", "polkadot", "polkadot", {"polkadot", "dot"}},
      {"LINK", "Chainlink", "chainlink", "chainlink", {"chainlink", "link"}},
      {"LTC", "Litecoin", "litecoin", "litecoin", {"litecoin", "ltc"}},
      {"TRX", "TRON", "tron", "tron", {"tron", "trx"}},
      {"MATIC", "Polygon", "matic-network", "polygon", {"polygon", "matic"}},
      {"NEAR", "NEAR Protocol", "near", "near-protocol", {"near"}},
      {"USDT", "Tether", "tether", "tether", {"tether", "usdt"}},
      {"USDC", "USD Coin", "usd-coin", "usd-coin", {"usdc"}},
  };
  return coins;
}

}  // namespace cryptolake::core
