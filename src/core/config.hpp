// cryptolake.toml: every key has a default, so a missing file means "all defaults".
// Keys are documented in the README ("Configuration").
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace cryptolake::core {

struct SimulatorConfig {
  std::vector<std::string> symbols = {"BTC-USDT", "ETH-USDT", "SOL-USDT", "BNB-USDT",
                                      "XRP-USDT", "ADA-USDT", "DOGE-USDT", "AVAX-USDT"};
  int days = 30;
  std::string start = "2024-01-01";  // first simulated UTC day
  uint64_t seed = 42;
  double posts_per_hour = 4.0;        // mean posts per coin per hour in calm markets
  int sentiment_lead_minutes = 60;    // > 0: post tone anticipates price; < 0: it follows
  double duplicate_rate = 0.002;      // share of klines re-sent in a later page (revised volume)
  double late_rate = 0.001;           // share of klines arriving in a later batch, out of order
  double malformed_rate = 0.0002;     // share of kline rows corrupted in the payload
  int gap_minutes = 3;                // one missing-minute gap of this length per symbol (0: none)
};

struct FeaturesConfig {
  int ma_window = 20;          // second moving average, besides MA(5)
  int volatility_window = 20;  // rolling std of log returns over this many candles
};

// The projections stage (analytics/projections): a Gaussian process per series and candle.
struct ProjectionsConfig {
  int window = 60;       // candles fitted, ending at the one projected from
  int refit_every = 10;  // candles between hyperparameter searches (warm-started within a day)
  int last_days = 7;     // days projected and kept, back from the latest candle's; 0: every day
};

struct BinanceConfig {
  std::string base_url = "https://api.binance.com";  // or https://data-api.binance.vision, or a test server
  int64_t weight_per_minute = 6000;                   // REQUEST_WEIGHT budget per IP
  double backfill_share = 0.8;                        // share of the budget a backfill may use
  std::string api_key;                                // optional; BINANCE_API_KEY in the environment wins
};

struct ServiceConfig {
  std::string base_url;
  int64_t calls_per_minute = 30;
};

struct RatesConfig {
  std::string coinbase_url = "https://api.coinbase.com";
  std::string bpi_url;  // a mirror of CoinDesk's retired currentprice.json; empty: not polled
};

// One [[quality.checks]] entry; see quality/quality_check.hpp for what each field means.
struct QualityCheckConfig {
  std::string table, check;
  std::vector<std::string> columns;
  std::string expression;
  std::optional<double> min, max;
  double max_age_hours = 48;
  std::string ref_table, ref_column;
  std::string severity = "error";
};

struct QualityConfig {
  std::vector<QualityCheckConfig> checks;
  std::vector<std::string> disable;  // check names to skip, e.g. "market_ohlcv.freshness(open_time)"
};

// One [[alerts]] rule (analytics/alerts).
struct AlertRuleConfig {
  std::string name = {};    // default "<kind>-<n>"
  std::string kind = {};    // price_move, volume_zscore, band_broken, stream_silent
  std::string symbol = {};  // empty: every symbol
  double percent = 0;   // price_move: |close / close `minutes` before − 1| above this many %
  int minutes = 0;      // price_move: the span; volume_zscore: the candles the mean and std come from (default 60)
  double zscore = 0;    // volume_zscore: the volume this many stds above the window's mean
  int horizon = 1;      // band_broken: the projection horizon (1, 5 or 10 candles)
  int seconds = 0;      // stream_silent: a stream process received and landed nothing for this long
};

// [webhook]: where alerts are POSTed as JSON (empty url: nowhere), in the background.
struct WebhookConfig {
  std::string url;
  int64_t timeout_ms = 5'000;  // per attempt
  int attempts = 4;            // with exponential backoff between them
  int64_t queue = 100;         // posts waiting at most; past it the oldest is dropped (counted)
};

// [[schedule.tasks]]: one task of the scheduler's DAG.
struct TaskConfig {
  std::string name = {};
  // A cryptolake command line, run for each logical interval; {interval_start} and
  // {interval_end} become the interval's ISO-8601 bounds.
  std::string run = {};
  std::string cron = {};                  // when its intervals end (UTC)
  std::vector<std::string> depends_on = {};
  int retries = 2;                        // after the first attempt
  int64_t retry_delay_seconds = 60;       // doubles with each retry
  int64_t timeout_seconds = 3'600;
  bool catch_up = true;                   // after downtime, run the missed intervals (up to max_catch_up)
  int line = 0;                           // where it is in the file, for messages
};

// [schedule]: the scheduler (schedule/). No tasks: the default DAG.
struct ScheduleConfig {
  int max_catch_up = 24;  // missed intervals a task runs after downtime, at most (the newest)
  int concurrency = 1;    // tasks running at once
  std::vector<TaskConfig> tasks;
};

// [etl]: the raw → curated transforms.
struct EtlConfig {
  int64_t memory_mb = 1024;  // candles (market_ohlcv) or posts held at once; beyond, they wait on disk by day (TMPDIR)
};

struct DuckdbConfig {
  int threads = 2;
  std::string memory_limit = "4GB";
};

// Limits on user SQL (`sql` and /api/v1/sql).
struct SqlConfig {
  std::string memory_limit = "1GB";         // DuckDB memory for the queries of a SQL session
  int64_t max_answer_bytes = 16 << 20;      // cells of one answer; beyond: cut, marked truncated
  int64_t cache_max_bytes = 64 << 20;       // serve's answer cache
  int64_t hot_max_bytes = 64 << 20;         // Parquet bytes of the tables serve holds in memory (0: none)
};

// [bus]: where live data travels (bus/). [bus.kafka] settings go to librdkafka as they are.
struct BusConfig {
  std::string url = "local";            // local, kafka://host:port[,host:port], mock://N
  std::string topic_prefix = "cryptolake";
  int partitions = 4;                    // of the topics cryptolake creates
  bool fsync = true;                     // local log: fsync each flushed batch
  int64_t segment_mb = 64;               // local log: segment size
  int64_t retention_hours = 24 * 7;      // local log: drop segments older than this (0: keep)
  int64_t retention_mb = 0;              // local log: per partition (0: no limit)
  std::map<std::string, std::string> kafka;  // security.protocol, sasl.*, ssl.*, …
};

struct Config {
  std::string lake = "./lake";
  std::string log_level = "info";
  SimulatorConfig simulator;
  FeaturesConfig features;
  ProjectionsConfig projections;
  BinanceConfig binance;
  ServiceConfig coingecko{"https://api.coingecko.com/api/v3", 30};
  ServiceConfig coincap{"https://rest.coincap.io/v3", 60};
  RatesConfig rates;
  QualityConfig quality;
  std::vector<AlertRuleConfig> alerts;
  WebhookConfig webhook;
  ScheduleConfig schedule;
  EtlConfig etl;
  DuckdbConfig duckdb;
  SqlConfig sql;
  BusConfig bus;

  // Reads a cryptolake.toml; keys absent from it keep their defaults. Unknown keys are an error,
  // so a typo does not silently fall back to a default.
  [[nodiscard]] static Result<Config> load(const std::filesystem::path& path);
  [[nodiscard]] static Result<Config> parse(std::string_view toml_text, std::string_view origin = "<string>");
};

}  // namespace cryptolake::core
