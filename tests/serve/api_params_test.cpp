#include "serve/api_params.hpp"

#include <gtest/gtest.h>

namespace cryptolake::serve {
namespace {

io::ServerRequest with(std::map<std::string, std::string> params) {
  io::ServerRequest r;
  for (auto& [k, v] : params) r.params.emplace(k, v);
  return r;
}

TEST(ApiParams, GoodValuesAreNormalisedAndBadOnesNameTheParameter) {
  EXPECT_EQ(*symbol_param(with({{"symbol", "btcusdt"}})), "BTC-USDT");
  EXPECT_EQ(*symbol_param(with({}), /*required=*/false), "");
  const auto missing = symbol_param(with({}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::ErrorCode::invalid_argument);
  EXPECT_EQ(missing.error().message, "symbol is required, e.g. symbol=BTC-USDT");

  EXPECT_EQ(*limit_param(with({}), 50, 100), 50);
  EXPECT_EQ(*limit_param(with({{"limit", "100"}}), 50, 100), 100);
  EXPECT_EQ(limit_param(with({{"limit", "101"}}), 50, 100).error().message, "limit=101: expected 1 to 100");
  EXPECT_FALSE(limit_param(with({{"limit", "0"}}), 50, 100));

  EXPECT_EQ(*interval_param(with({})), "1m");
  EXPECT_EQ(*interval_param(with({{"interval", "1M"}})), "1M");
  EXPECT_FALSE(interval_param(with({{"interval", "7x"}})));

  // Epoch milliseconds and ISO-8601 name the same instant.
  const auto ms = time_param(with({{"from", "1704067200000"}}), "from");
  const auto iso = time_param(with({{"from", "2024-01-01T00:00:00Z"}}), "from");
  ASSERT_TRUE(ms && *ms && iso && *iso);
  EXPECT_EQ(**ms, **iso);
  EXPECT_EQ(*time_filter(with({{"to", "2024-01-01T00:00:00Z"}}), "hour"), " AND hour < " + **iso);
  EXPECT_EQ(time_filter(with({{"from", "yesterday"}}), "hour").error().message,
            "from=yesterday: expected ISO-8601 (2024-01-01T00:00:00Z) or epoch milliseconds");
}

}  // namespace
}  // namespace cryptolake::serve
