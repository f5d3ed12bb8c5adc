#include "core/config.hpp"

#include <gtest/gtest.h>

namespace cryptolake::core {
namespace {

TEST(Config, EmptyFileMeansDefaults) {
  auto config = Config::parse("");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->lake, "./lake");
  EXPECT_EQ(config->simulator.symbols.size(), 8u);
  EXPECT_EQ(config->simulator.days, 30);
  EXPECT_EQ(config->features.ma_window, 20);
}

TEST(Config, ReadsEverySection) {
  auto config = Config::parse(R"(
[lake]
path = "/data/lake"
[log]
level = "debug"
[simulator]
symbols = ["BTC-USDT", "ETH-USDT"]
days = 3
seed = 7
posts_per_hour = 1.5
sentiment_lead_minutes = -120
duplicate_rate = 0.01
gap_minutes = 0
[features]
ma_window = 50
volatility_window = 30
[duckdb]
threads = 4
memory_limit = "1GB"
)");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->lake, "/data/lake");
  EXPECT_EQ(config->log_level, "debug");
  EXPECT_EQ(config->simulator.symbols, (std::vector<std::string>{"BTC-USDT", "ETH-USDT"}));
  EXPECT_EQ(config->simulator.seed, 7u);
  EXPECT_DOUBLE_EQ(config->simulator.posts_per_hour, 1.5);
  EXPECT_EQ(config->simulator.sentiment_lead_minutes, -120);
  EXPECT_EQ(config->simulator.gap_minutes, 0);
  EXPECT_EQ(config->features.ma_window, 50);
  EXPECT_EQ(config->duckdb.threads, 4);
  EXPECT_EQ(config->duckdb.memory_limit, "1GB");
}

TEST(Config, UnknownKeysAndWrongTypesAreErrorsNamingTheKey) {
  auto typo = Config::parse("[simulator]\nday = 3\n", "x.toml");
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().message, "x.toml: unknown key 'simulator.day'");
  auto wrong = Config::parse("[simulator]\ndays = \"three\"\n", "x.toml");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message, "x.toml: simulator.days must be an integer");
  auto bad_window = Config::parse("[features]\nma_window = 1\n", "x.toml");
  ASSERT_FALSE(bad_window);
}

TEST(Config, SyntaxErrorsSayWhere) {
  auto broken = Config::parse("[lake]\npath = \n", "x.toml");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("x.toml:2:"), std::string::npos) << broken.error().message;
}

TEST(Config, MissingFileIsNotFound) {
  auto missing = Config::load("/nonexistent/cryptolake.toml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace cryptolake::core
