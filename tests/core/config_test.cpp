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

// Every section users write besides the simulator's, read into the fields the code uses.
TEST(Config, ReadsTheSourcesQualityAndSqlSections) {
  auto config = Config::parse(R"toml(
[binance]
base_url = "https://data-api.binance.vision"
weight_per_minute = 1200
backfill_share = 0.5
api_key = "k"
[coingecko]
base_url = "https://pro-api.coingecko.com/api/v3"
calls_per_minute = 500
[coincap]
base_url = "http://127.0.0.1:9/v3"
calls_per_minute = 7
[rates]
coinbase_url = "http://127.0.0.1:9"
bpi_url = "https://mirror.example/v1/bpi/currentprice.json"
[quality]
disable = ["market_ohlcv.freshness(open_time)"]
[[quality.checks]]
table = "posts"
check = "accepted_range"
column = "like_count"
min = 0
max = 1e9
severity = "warn"
[[quality.checks]]
table = "market_ohlcv"
check = "unique"
columns = ["symbol", "open_time"]
[sql]
memory_limit = "512MB"
max_answer_bytes = 1048576
cache_max_bytes = 2097152
)toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->binance.base_url, "https://data-api.binance.vision");
  EXPECT_EQ(config->binance.weight_per_minute, 1200);
  EXPECT_DOUBLE_EQ(config->binance.backfill_share, 0.5);
  EXPECT_EQ(config->binance.api_key, "k");
  EXPECT_EQ(config->coingecko.base_url, "https://pro-api.coingecko.com/api/v3");
  EXPECT_EQ(config->coingecko.calls_per_minute, 500);
  EXPECT_EQ(config->coincap.base_url, "http://127.0.0.1:9/v3");
  EXPECT_EQ(config->coincap.calls_per_minute, 7);
  EXPECT_EQ(config->rates.coinbase_url, "http://127.0.0.1:9");
  EXPECT_EQ(config->rates.bpi_url, "https://mirror.example/v1/bpi/currentprice.json");
  EXPECT_EQ(config->quality.disable, (std::vector<std::string>{"market_ohlcv.freshness(open_time)"}));
  ASSERT_EQ(config->quality.checks.size(), 2u);
  EXPECT_EQ(config->quality.checks[0].table, "posts");
  EXPECT_EQ(config->quality.checks[0].check, "accepted_range");
  EXPECT_EQ(config->quality.checks[0].columns, (std::vector<std::string>{"like_count"}));
  EXPECT_EQ(config->quality.checks[0].min, 0.0);
  EXPECT_EQ(config->quality.checks[0].max, 1e9);
  EXPECT_EQ(config->quality.checks[0].severity, "warn");
  EXPECT_EQ(config->quality.checks[1].columns, (std::vector<std::string>{"symbol", "open_time"}));
  EXPECT_EQ(config->quality.checks[1].severity, "error");
  EXPECT_EQ(config->sql.memory_limit, "512MB");
  EXPECT_EQ(config->sql.max_answer_bytes, 1048576);
  EXPECT_EQ(config->sql.cache_max_bytes, 2097152);
}

// [bus] and its [bus.kafka] settings, passed to librdkafka as written.
TEST(Config, ReadsTheBusSection) {
  EXPECT_EQ(Config{}.bus.url, "local");
  auto config = Config::parse(R"([bus]
url = "kafka://k1:9092,k2:9092"
topic_prefix = "lake1"
partitions = 12
fsync = false
segment_mb = 16
retention_hours = 48
retention_mb = 512

[bus.kafka]
"security.protocol" = "SASL_SSL"
"sasl.mechanisms" = "PLAIN"
)", "bus.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->bus.url, "kafka://k1:9092,k2:9092");
  EXPECT_EQ(config->bus.topic_prefix, "lake1");
  EXPECT_EQ(config->bus.partitions, 12);
  EXPECT_FALSE(config->bus.fsync);
  EXPECT_EQ(config->bus.segment_mb, 16);
  EXPECT_EQ(config->bus.retention_hours, 48);
  EXPECT_EQ(config->bus.retention_mb, 512);
  EXPECT_EQ(config->bus.kafka, (std::map<std::string, std::string>{{"security.protocol", "SASL_SSL"}, {"sasl.mechanisms", "PLAIN"}}));
  auto zero = Config::parse("[bus]\npartitions = 0\n", "bus.toml");
  ASSERT_FALSE(zero);
  auto number = Config::parse("[bus.kafka]\n\"linger.ms\" = 5\n", "bus.toml");
  ASSERT_FALSE(number);
  EXPECT_EQ(number.error().message, "bus.toml: bus.kafka.linger.ms must be a string");
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
  auto no_memory = Config::parse("[etl]\nmemory_mb = 0\n", "x.toml");
  ASSERT_FALSE(no_memory);
  EXPECT_EQ(no_memory.error().message, "x.toml: etl.memory_mb must be at least 1");
  EXPECT_EQ(Config{}.etl.memory_mb, 1024);
  EXPECT_EQ(Config::parse("[etl]\nmemory_mb = 64\n", "x.toml")->etl.memory_mb, 64);
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

namespace cryptolake::core {
namespace {

TEST(Config, ReadsTheSilenceRuleAndTheWebhook) {
  auto config = Config::parse("[[alerts]]\nkind = \"stream_silent\"\nseconds = 45\n[webhook]\nurl = \"https://hooks.example/x\"\nattempts = 2\nqueue = 7\n", "x.toml");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->alerts.size(), 1u);
  EXPECT_EQ(config->alerts[0].name, "stream_silent-1");
  EXPECT_EQ(config->alerts[0].seconds, 45);
  EXPECT_EQ(config->webhook.url, "https://hooks.example/x");
  EXPECT_EQ(config->webhook.attempts, 2);
  EXPECT_EQ(config->webhook.queue, 7);
  EXPECT_EQ(config->webhook.timeout_ms, 5000) << "the default";
  EXPECT_FALSE(Config::parse("[[alerts]]\nkind = \"stream_silent\"\n")) << "seconds are needed";
  EXPECT_FALSE(Config::parse("[[alerts]]\nkind = \"stream_silent\"\nseconds = 5\nsymbol = \"BTC-USDT\"\n")) << "a silence is the whole stream's";
  EXPECT_FALSE(Config::parse("[webhook]\nurl = \"ftp://x\"\n"));
  EXPECT_FALSE(Config::parse("[webhook]\nurl = \"http://x\"\nattempts = 0\n"));
}

}  // namespace
}  // namespace cryptolake::core
