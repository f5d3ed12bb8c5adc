#include "transform/dimensions.hpp"

#include <gtest/gtest.h>

#include "core/known_coins.hpp"
#include "support/small_lake.hpp"

namespace cryptolake::transform {
namespace {

TEST(Dimensions, CoinsComeFromTheMarketDataAndTheKnownListWithTheirIds) {
  testing::SmallLake lake({"BTC-USDT", "SOL-BTC"}, 1);
  auto built = build_dim_coin(lake.store, *lake.duckdb);
  ASSERT_TRUE(built) << built.error().message;
  const auto coins = lake.rows("SELECT coin, name, coingecko_id, coincap_id, binance_asset FROM read_parquet('" + lake.table("dim_coin") +
                               "') ORDER BY coin");
  EXPECT_EQ(coins.size(), core::known_coins().size());  // BTC, SOL and USDT are known coins
  const auto row = [&](std::string_view coin) {
    for (const auto& r : coins) {
      if (r[0] == coin) return r;
    }
    return std::vector<std::string>{};
  };
  EXPECT_EQ(row("BTC"), (std::vector<std::string>{"BTC", "Bitcoin", "bitcoin", "bitcoin", "BTC"}));
  EXPECT_EQ(row("SOL")[4], "SOL");   // traded: a Binance asset
  EXPECT_EQ(row("USDT")[4], "USDT");
  EXPECT_EQ(row("ETH")[4], "");      // known, not traded in this lake
  const auto symbols = lake.rows("SELECT symbol, base, quote FROM read_parquet('" + lake.table("dim_symbol") + "') ORDER BY symbol");
  EXPECT_EQ(symbols, (std::vector<std::vector<std::string>>{{"BTC-USDT", "BTC", "USDT"}, {"SOL-BTC", "SOL", "BTC"}}));
}

TEST(Dimensions, DatesCoverEveryDayOfTheFactsWithCalendarFields) {
  testing::SmallLake lake({"BTC-USDT"}, 3);  // 2024-01-01 (a Monday) … 2024-01-03
  auto built = build_dim_date(lake.store, *lake.duckdb, 2);
  ASSERT_TRUE(built) << built.error().message;
  const auto days = lake.rows("SELECT date_key, year, month, day, weekday, is_weekend FROM read_parquet('" + lake.table("dim_date") +
                              "') ORDER BY date_key");
  ASSERT_EQ(days.size(), 3u);
  EXPECT_EQ(days[0], (std::vector<std::string>{"20240101", "2024", "1", "1", "1", "0"}));
  EXPECT_EQ(days[2][0], "20240103");
  EXPECT_EQ(days[2][4], "3");
}

}  // namespace
}  // namespace cryptolake::transform
