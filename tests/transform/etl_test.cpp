#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <map>

#include "lake/layout.hpp"
#include "lake/local_object_store.hpp"
#include "lake/raw_zone.hpp"
#include "io/codec/zstd.hpp"
#include "support/temp_dir.hpp"
#include "transform/market_ohlcv_etl.hpp"
#include "transform/posts_etl.hpp"

namespace cryptolake::transform {
namespace {

using core::Timestamp;

std::string kline_row(int64_t open_ms, const char* close, const char* volume) {
  return fmt::format(R"([{},"1.0","9.0","0.5","{}","{}",{},"10",3,"1","2","0"])", open_ms, close, volume,
                     open_ms + 59'999);
}

class EtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<lake::LocalObjectStore>(dir_.path());
    duckdb_ = std::move(*lake::DuckDb::open({dir_.path(), 2, "1GB"}));
  }

  void write_klines(const char* received_at, const char* symbol, std::vector<std::string> rows) {
    std::string payload = "[";
    for (size_t i = 0; i < rows.size(); ++i) payload += (i ? "," : "") + rows[i];
    payload += "]";
    lake::RawZoneWriter writer(*store_);
    const core::Envelope e{*Timestamp::parse_iso(received_at), "binance", "klines",
                           fmt::format(R"({{"symbol":"{}","interval":"1m"}})", symbol), payload};
    ASSERT_TRUE(writer.land(std::vector<core::Envelope>{e}));
  }

  core::Result<std::string> sql_text(const std::string& sql) {
    TRY_ASSIGN(auto connection, duckdb_->connect());
    TRY_ASSIGN(auto result, connection.query(sql));
    std::string out;
    for (size_t r = 0; r < result.row_count(); ++r) {
      for (size_t c = 0; c < result.column_count(); ++c) out += (c ? "|" : "") + result.text(c, r);
      out += "\n";
    }
    return out;
  }

  std::string ohlcv() const { return "read_parquet('" + (dir_.path() / "curated/market_ohlcv/*/*.parquet").string() + "')"; }

  // Every curated file under `prefix`, by key.
  std::map<std::string, std::string> curated(const std::string& prefix) const {
    std::map<std::string, std::string> files;
    const std::vector<std::string> keys = *store_->list(prefix);
    for (const std::string& key : keys) files[key] = *store_->get(key);
    return files;
  }

  // This process's spill folders of `purpose` left under TMPDIR.
  static size_t spills_left(std::string_view purpose) {
    size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::temp_directory_path())) {
      n += entry.path().filename().string().starts_with(fmt::format("cryptolake-{}-{}-", purpose, ::getpid()));
    }
    return n;
  }

  testing::TempDir dir_;
  std::unique_ptr<lake::LocalObjectStore> store_;
  std::unique_ptr<lake::DuckDb> duckdb_;
};

constexpr int64_t kDay = 1'704'067'200'000;  // 2024-01-01T00:00:00Z in ms

TEST_F(EtlTest, LatestReceivedWinsAndDaysSplitIntoPartitions) {
  write_klines("2024-01-01T00:02:01Z", "BTCUSDT", {kline_row(kDay, "2.0", "10"), kline_row(kDay + 60'000, "3.0", "10")});
  // A re-send one hour later corrects the first candle's volume and adds one on the next day.
  write_klines("2024-01-01T01:00:01Z", "BTCUSDT", {kline_row(kDay, "2.0", "12.5")});
  write_klines("2024-01-02T00:01:01Z", "ETHBTC", {kline_row(kDay + 86'400'000, "1.5", "1")});
  auto stats = run_market_ohlcv_etl(*store_, *duckdb_, {});
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records_in, 4u);
  EXPECT_EQ(stats->rows_out, 3u);
  EXPECT_EQ(stats->duplicates, 1u);
  EXPECT_EQ(stats->partitions, 2u);
  EXPECT_EQ(stats->quarantined, 0u);
  EXPECT_EQ(*store_->list("curated/"), (std::vector<std::string>{"curated/market_ohlcv/dt=2024-01-01/part-0.parquet",
                                                                 "curated/market_ohlcv/dt=2024-01-02/part-0.parquet"}));
  EXPECT_EQ(*sql_text("SELECT symbol, open_time::VARCHAR, close, volume, received_at::VARCHAR FROM " + ohlcv()),
            "BTC-USDT|2024-01-01 00:00:00+00|2.0|12.5|2024-01-01 01:00:01+00\n"
            "BTC-USDT|2024-01-01 00:01:00+00|3.0|10.0|2024-01-01 00:02:01+00\n"
            "ETH-BTC|2024-01-02 00:00:00+00|1.5|1.0|2024-01-02 00:01:01+00\n");
}

TEST_F(EtlTest, BadLinesAndRowsGoToQuarantineWithReasonsAndTheRestLands) {
  write_klines("2024-01-01T00:02:01Z", "BTCUSDT",
               {kline_row(kDay, "2.0", "10"), kline_row(kDay + 60'000, "abc", "10"), kline_row(kDay + 120'000, "3", "-1")});
  write_klines("2024-01-01T00:03:01Z", "NOTASYMBOL", {kline_row(kDay, "2.0", "10")});
  // A batch with a torn envelope line next to a good one.
  const std::string good = core::envelope_line({*Timestamp::parse_iso("2024-01-01T00:04:01Z"), "binance", "klines",
                                                R"({"symbol":"ETHUSDT","interval":"1m"})",
                                                "[" + kline_row(kDay, "2.0", "10") + "]"});
  ASSERT_TRUE(store_->put("raw/binance/klines/dt=2024-01-01/hour=00/torn.ndjson.zst",
                          io::zstd_compress(good + "\n{\"received_at\":\"2024-01-01T00:04:02Z\",\"sou\n")));
  auto stats = run_market_ohlcv_etl(*store_, *duckdb_, {});
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->rows_out, 2u);
  EXPECT_EQ(stats->quarantined, 4u);
  std::vector<std::string> reasons;
  const auto quarantine_keys = *store_->list("quarantine/");
  for (const std::string& key : quarantine_keys) {
    const std::string text = *io::zstd_decompress(*store_->get(key));
    for (size_t pos = 0; (pos = text.find("\"reason\":\"", pos)) != std::string::npos; ++pos) {
      reasons.push_back(text.substr(pos + 10, text.find('"', pos + 10) - pos - 10));
    }
  }
  std::sort(reasons.begin(), reasons.end());
  ASSERT_EQ(reasons.size(), 4u);
  EXPECT_EQ(reasons[0], "BTC-USDT 1m kline[1]: close: 'abc' is not a decimal");
  EXPECT_EQ(reasons[1], "BTC-USDT 1m kline[2]: negative volume or trade count");
  EXPECT_TRUE(reasons[2].starts_with("envelope: invalid JSON")) << reasons[2];
  EXPECT_EQ(reasons[3], "symbol 'NOTASYMBOL': no known quote asset at its end");
}

TEST_F(EtlTest, RerunGivesIdenticalFiles) {
  for (int h = 0; h < 30; ++h) {
    std::vector<std::string> rows;
    for (int m = 0; m < 60; ++m) rows.push_back(kline_row(kDay + (h * 60 + m) * 60'000LL, "2.5", "1.25"));
    write_klines(fmt::format("2024-01-01T{:02}:00:02Z", h % 24).c_str(), h % 2 ? "ETHUSDT" : "BTCUSDT", rows);
  }
  ASSERT_TRUE(run_market_ohlcv_etl(*store_, *duckdb_, {}));
  std::vector<std::string> first;
  const auto keys = *store_->list("curated/");
  for (const auto& key : keys) first.push_back(*store_->get(key));
  ASSERT_TRUE(run_market_ohlcv_etl(*store_, *duckdb_, {.threads = 1, .progress = {}}));
  std::vector<std::string> second;
  for (const auto& key : keys) second.push_back(*store_->get(key));
  EXPECT_EQ(first, second);
}

// Candles beyond the memory budget wait on disk by day; the files written are the ones a run
// that held everything writes, incremental runs included, and the spill files are gone after.
TEST_F(EtlTest, ARunBeyondItsMemoryBudgetWritesTheSameFiles) {
  const auto send = [&](int first_day, int days, const char* received_hour) {
    for (int d = first_day; d < first_day + days; ++d) {
      for (const char* symbol : {"BTCUSDT", "ETHUSDT", "SOLUSDT"}) {
        std::vector<std::string> rows;
        // Two pages per day that overlap by an hour: duplicates across objects.
        for (int m = 0; m < 300; ++m) rows.push_back(kline_row(kDay + d * 86'400'000LL + m * 60'000LL, "2.5", d % 2 ? "1.25" : "3"));
        write_klines(fmt::format("2024-02-{:02}T{}:00:01Z", d + 1, received_hour).c_str(), symbol, rows);
      }
    }
  };
  send(0, 6, "05");
  send(2, 2, "06");  // later re-sends of days 2 and 3 win
  const auto curated = [&] { return this->curated("curated/"); };
  const auto spills_left = [] { return EtlTest::spills_left("etl-spill"); };

  std::string ledger;
  auto held = run_market_ohlcv_etl(*store_, *duckdb_, {.threads = 2, .progress = {}, .now_consumed = &ledger});
  ASSERT_TRUE(held) << held.error().message;
  const auto reference = curated();
  ASSERT_EQ(reference.size(), 6u);
  std::filesystem::remove_all(dir_.path() / "curated");

  // 200 rows' worth of memory: each thread spills after every object, each day is a group.
  const size_t tiny = 200 * 2 * (sizeof(core::KlineValues) + 8 + 2 * 40);
  auto spilled = run_market_ohlcv_etl(*store_, *duckdb_, {.threads = 2, .progress = {}, .memory_bytes = tiny});
  ASSERT_TRUE(spilled) << spilled.error().message;
  EXPECT_EQ(curated(), reference);
  EXPECT_EQ(spilled->records_in, held->records_in);
  EXPECT_EQ(spilled->rows_out, held->rows_out);
  EXPECT_EQ(spilled->rows_out, 6u * 3 * 300);
  EXPECT_EQ(spilled->duplicates, held->duplicates);
  EXPECT_EQ(spilled->duplicates, 2u * 3 * 300);
  EXPECT_EQ(spilled->partitions, 6u);
  EXPECT_EQ(spills_left(), 0u);

  // An incremental run: a re-send of day 4 rebuilds that day only, spilled or not.
  send(4, 1, "07");
  auto again = run_market_ohlcv_etl(*store_, *duckdb_, {.threads = 2, .progress = {}, .consumed = ledger, .memory_bytes = tiny});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->partitions, 1u);
  const auto incremental = curated();
  std::filesystem::remove_all(dir_.path() / "curated");
  ASSERT_TRUE(run_market_ohlcv_etl(*store_, *duckdb_, {}));
  EXPECT_EQ(incremental, curated());
  EXPECT_EQ(spills_left(), 0u);
}

// A thread spills its rows by day as they came: one object whose days run A, B, A goes to the day
// files run by run (appended, not overwritten), one whose days alternate row by row is sorted by
// day first; either way the files are the ones a run that held everything writes.
TEST_F(EtlTest, RowsOfSeveralDaysInOneObjectSpillToTheirDays) {
  constexpr int64_t kMinute = 60'000, kOneDay = 86'400'000;
  std::vector<std::string> runs;  // 700 candles of day 1, 700 of day 2, 700 more of day 1
  for (int m = 0; m < 700; ++m) runs.push_back(kline_row(kDay + kOneDay + m * kMinute, "2.5", "1"));
  for (int m = 0; m < 700; ++m) runs.push_back(kline_row(kDay + 2 * kOneDay + m * kMinute, "2.5", "2"));
  for (int m = 700; m < 1400; ++m) runs.push_back(kline_row(kDay + kOneDay + m * kMinute, "2.5", "3"));
  write_klines("2024-02-01T05:00:01Z", "BTCUSDT", runs);
  std::vector<std::string> alternating;  // days 3 and 4, one row each in turn
  for (int m = 0; m < 300; ++m) alternating.push_back(kline_row(kDay + (3 + m % 2) * kOneDay + m * kMinute, "2.5", "4"));
  write_klines("2024-02-01T05:00:02Z", "ETHUSDT", alternating);

  auto held = run_market_ohlcv_etl(*store_, *duckdb_, {.threads = 1, .progress = {}});
  ASSERT_TRUE(held) << held.error().message;
  const auto reference = curated("curated/");
  std::filesystem::remove_all(dir_.path() / "curated");
  const size_t tiny = 200 * 2 * (sizeof(core::KlineValues) + 8 + 2 * 40);  // spills after every object
  auto spilled = run_market_ohlcv_etl(*store_, *duckdb_, {.threads = 1, .progress = {}, .memory_bytes = tiny});
  ASSERT_TRUE(spilled) << spilled.error().message;
  EXPECT_EQ(held->rows_out, 2100u + 300u);
  EXPECT_EQ(spilled->rows_out, held->rows_out);
  EXPECT_EQ(spilled->partitions, 4u);
  EXPECT_EQ(curated("curated/"), reference);
  EXPECT_EQ(*sql_text("SELECT count(*) FROM " + ohlcv() + " WHERE open_time < TIMESTAMPTZ '2024-01-03 00:00:00+00'"), "1400\n");
}

// An incremental run reads the new raw objects and merges their candles into the days as the
// last run published them, instead of parsing again every consumed object with candles for those
// days; the files are a full rebuild's. A published partition changed since (its files no longer
// hash to its recorded version) is not trusted: its day's raw objects are read again.
TEST_F(EtlTest, AnIncrementalRunMergesNewCandlesIntoThePublishedDays) {
  const auto send = [&](int day, const char* received, const char* symbol, const char* close, int minutes) {
    std::vector<std::string> rows;
    for (int m = 0; m < minutes; ++m) rows.push_back(kline_row(kDay + day * 86'400'000LL + m * 60'000LL, close, "2"));
    write_klines(received, symbol, rows);
  };
  for (int d = 0; d < 3; ++d) {
    for (const char* symbol : {"BTCUSDT", "ETHUSDT", "SOLUSDT"}) send(d, fmt::format("2024-01-0{}T05:00:00Z", d + 2).c_str(), symbol, "3", 100);
  }
  std::string ledger;
  auto first = run_market_ohlcv_etl(*store_, *duckdb_, {.threads = 2, .progress = {}, .now_consumed = &ledger});
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->batches, 9u);
  const auto full_rebuild = [&] {
    const auto incremental = curated("curated/");
    std::filesystem::remove_all(dir_.path() / "curated");
    EXPECT_TRUE(run_market_ohlcv_etl(*store_, *duckdb_, {}));
    return incremental;
  };

  // Day 1 again for one symbol, received later with other closes and 20 more minutes.
  send(1, "2024-01-05T05:00:00Z", "ETHUSDT", "4", 120);
  std::string after;
  auto merged = run_market_ohlcv_etl(*store_, *duckdb_, {.threads = 2, .progress = {}, .consumed = ledger, .now_consumed = &after});
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ(merged->batches, 1u) << "only the new object is parsed; day 1's three consumed ones are not";
  EXPECT_EQ(merged->partitions, 1u);
  EXPECT_EQ(merged->rows_out, 3u * 100 + 20);
  ASSERT_EQ(*sql_text("SELECT count(*) FROM " + ohlcv() + " WHERE symbol = 'ETH-USDT' AND close = 4"), "120\n");
  EXPECT_EQ(full_rebuild(), curated("curated/"));

  // Day 1's file changed behind the etl's back: its raw objects are read again, and win.
  const std::string day1 = *store_->list(lake::layout::partition_prefix("market_ohlcv", "2024-01-02")).value().begin();
  ASSERT_TRUE(store_->put(day1, *store_->get(*store_->list(lake::layout::partition_prefix("market_ohlcv", "2024-01-01")).value().begin())));
  send(1, "2024-01-06T05:00:00Z", "SOLUSDT", "5", 10);
  auto reread = run_market_ohlcv_etl(*store_, *duckdb_, {.threads = 2, .progress = {}, .consumed = after});
  ASSERT_TRUE(reread) << reread.error().message;
  EXPECT_EQ(reread->batches, 1u + 4) << "the new object and day 1's four consumed ones";
  EXPECT_EQ(full_rebuild(), curated("curated/"));
}

// A consumed object read again for a day new candles touch may hold rows of other days too: those
// days are not rewritten from it (other objects' rows live there that the run does not read).
TEST_F(EtlTest, AnObjectReadAgainLeavesTheDaysNoNewObjectTouches) {
  const auto send = [&](int64_t first_minute, const char* received, const char* symbol, int minutes) {
    std::vector<std::string> rows;
    for (int m = 0; m < minutes; ++m) rows.push_back(kline_row(kDay + (first_minute + m) * 60'000LL, "3", "2"));
    write_klines(received, symbol, rows);
  };
  send(1380, "2024-01-03T05:00:00Z", "BTCUSDT", 120);  // 60 minutes of day 0, 60 of day 1
  send(0, "2024-01-03T05:00:00Z", "ETHUSDT", 100);     // day 0 only
  std::string ledger;
  ASSERT_TRUE(run_market_ohlcv_etl(*store_, *duckdb_, {.threads = 2, .progress = {}, .now_consumed = &ledger}));
  const auto day0 = curated(lake::layout::partition_prefix("market_ohlcv", "2024-01-01"));
  ASSERT_EQ(*sql_text("SELECT count(*) FROM " + ohlcv() + " WHERE open_time < TIMESTAMPTZ '2024-01-02 00:00:00+00'"), "160\n");

  // Day 1's file changed behind the etl's back, so the BTC object is read again for it.
  const std::string day1 = *store_->list(lake::layout::partition_prefix("market_ohlcv", "2024-01-02")).value().begin();
  ASSERT_TRUE(store_->put(day1, day0.begin()->second));
  send(1440, "2024-01-04T05:00:00Z", "SOLUSDT", 10);
  auto reread = run_market_ohlcv_etl(*store_, *duckdb_, {.threads = 2, .progress = {}, .consumed = ledger});
  ASSERT_TRUE(reread) << reread.error().message;
  EXPECT_EQ(reread->batches, 1u + 1) << "the new object and the BTC one";
  EXPECT_EQ(reread->partitions, 1u) << "day 1 only";
  EXPECT_EQ(curated(lake::layout::partition_prefix("market_ohlcv", "2024-01-01")), day0);
  EXPECT_EQ(*sql_text("SELECT count(*) FROM " + ohlcv() + " WHERE open_time < TIMESTAMPTZ '2024-01-02 00:00:00+00'"), "160\n");
  EXPECT_EQ(*sql_text("SELECT count(*) FROM " + ohlcv() + " WHERE open_time >= TIMESTAMPTZ '2024-01-02 00:00:00+00'"), "70\n");
}

// Posts beyond the memory budget wait on disk by day; the latest copy of each post is still the
// one kept (across days, when a re-fetch moved its created_at), and the files are the ones a run
// that held everything writes, incremental runs included.
TEST_F(EtlTest, PostsBeyondTheMemoryBudgetWriteTheSameFiles) {
  lake::RawZoneWriter writer(*store_);
  // Day d's posts: 40 tweets (ids shared across sends) and 10 reddit posts with words to tag and score.
  const auto send = [&](int first_day, int days, int received_hour, int likes) {
    for (int d = first_day; d < first_day + days; ++d) {
      std::string tweets, reddit;
      for (int i = 0; i < 40; ++i) {
        // Post 7 of each day says, in later sends, that it was made the day after.
        const int created_day = i == 7 && received_hour > 5 ? d + 1 : d;
        tweets += fmt::format(R"({}{{"id":"{}","text":"$BTC {} to the moon {}","author_id":"a{}",)"
                              R"("created_at":"2024-01-{:02}T{:02}:{:02}:00.000Z","public_metrics":{{"like_count":{}}}}})",
                              i ? "," : "", 1000 * (d + 1) + i, i % 3 ? "pumping" : "dumping", i, i % 5, created_day + 1, i % 24, i, likes + i);
      }
      for (int i = 0; i < 10; ++i) {
        reddit += fmt::format(R"({}{{"kind":"t3","data":{{"id":"r{}x{}","title":"ETH gas {}","selftext":"great news","author":"u{}",)"
                              R"("created_utc":{},"score":{}}}}})",
                              i ? "," : "", d, i, i, i, (kDay / 1000) + d * 86'400 + i * 600, likes);
      }
      const Timestamp received = Timestamp::from_millis(kDay + (d + 1) * 86'400'000LL + received_hour * 3'600'000LL);
      auto landed = writer.land(std::vector<core::Envelope>{
          {received, "x", "tweets", "{}", fmt::format(R"({{"data":[{}],"meta":{{"result_count":40}}}})", tweets)}});
      ASSERT_TRUE(landed) << landed.error().message;
      landed = writer.land(std::vector<core::Envelope>{
          {received, "reddit", "reddit_new", "{}", fmt::format(R"({{"kind":"Listing","data":{{"after":null,"children":[{}]}}}})", reddit)}});
      ASSERT_TRUE(landed) << landed.error().message;
    }
  };
  send(0, 6, 5, 1);
  send(2, 2, 6, 100);  // later re-sends of days 2 and 3 win
  const auto curated = [&] { return this->curated("curated/posts/"); };
  const auto spills_left = [] { return EtlTest::spills_left("posts-spill"); };
  std::string ledger;
  auto held = run_posts_etl(*store_, *duckdb_, {.threads = 2, .progress = {}, .now_consumed = &ledger});
  ASSERT_TRUE(held) << held.error().message;
  const auto reference = curated();
  ASSERT_EQ(reference.size(), 6u);
  std::filesystem::remove_all(dir_.path() / "curated");

  // About 30 posts' worth of memory: each thread spills after every object, groups of a day or two.
  const size_t tiny = 30 * (sizeof(core::Post) + 64);
  auto spilled = run_posts_etl(*store_, *duckdb_, {.threads = 2, .progress = {}, .memory_bytes = tiny});
  ASSERT_TRUE(spilled) << spilled.error().message;
  EXPECT_EQ(curated(), reference);
  EXPECT_EQ(spilled->records_in, held->records_in);
  EXPECT_EQ(spilled->records_in, (6u + 2) * 50);
  EXPECT_EQ(spilled->rows_out, held->rows_out);
  EXPECT_EQ(spilled->rows_out, 6u * 50);
  EXPECT_EQ(spilled->duplicates, 2u * 50);
  EXPECT_EQ(spilled->partitions, held->partitions);
  EXPECT_EQ(spills_left(), 0u);
  // The re-sent copies won, the moved post once, on its new day.
  EXPECT_EQ(*sql_text("SELECT count(*), sum(like_count), max(dt) FILTER (post_id = '3007') FROM read_parquet('" +
                      (dir_.path() / "curated/posts/*/*.parquet").string() + "', hive_partitioning = true) WHERE post_id IN ('3007', '3000', 'r2x0')"),
            "3|307|2024-01-04\n");

  // An incremental run: a re-send of day 4 rebuilds its days only, spilled or not.
  send(4, 1, 7, 500);
  auto again = run_posts_etl(*store_, *duckdb_, {.threads = 2, .progress = {}, .consumed = ledger, .memory_bytes = tiny});
  ASSERT_TRUE(again) << again.error().message;
  const auto incremental = curated();
  std::filesystem::remove_all(dir_.path() / "curated");
  ASSERT_TRUE(run_posts_etl(*store_, *duckdb_, {}));
  EXPECT_EQ(incremental, curated());
  EXPECT_EQ(spills_left(), 0u);
}

TEST_F(EtlTest, PostsDedupByIdWithLatestWinning) {
  lake::RawZoneWriter writer(*store_);
  const auto tweets = [](const char* likes) {
    return fmt::format(R"({{"data":[{{"id":"100","text":"$BTC up","created_at":"2024-01-01T10:00:00.000Z","public_metrics":{{"like_count":{}}}}},)"
                       R"({{"id":"99","text":"old","created_at":"2023-12-31T23:59:59.000Z"}}],"meta":{{"result_count":2}}}})",
                       likes);
  };
  ASSERT_TRUE(writer.land(std::vector<core::Envelope>{
      {*Timestamp::parse_iso("2024-01-01T11:00:00Z"), "x", "tweets", "{}", tweets("1")}}));
  ASSERT_TRUE(writer.land(std::vector<core::Envelope>{
      {*Timestamp::parse_iso("2024-01-01T12:00:00Z"), "x", "tweets", "{}", tweets("7")}}));
  auto stats = run_posts_etl(*store_, *duckdb_, {});
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->rows_out, 2u);
  EXPECT_EQ(stats->duplicates, 2u);
  EXPECT_EQ(stats->partitions, 2u);
  EXPECT_EQ(*sql_text("SELECT post_id, like_count, dt, coins IS NULL FROM read_parquet('" +
                      (dir_.path() / "curated/posts/*/*.parquet").string() + "', hive_partitioning = true) ORDER BY dt"),
            "99|0|2023-12-31|true\n100|7|2024-01-01|true\n");
}

}  // namespace
}  // namespace cryptolake::transform

#include "transform/post_cleaning.hpp"

namespace cryptolake::transform {
namespace {

TEST(PostCleaning, UrlsWhitespaceEntitiesRetweetsAndLanguage) {
  EXPECT_EQ(clean_post_text("  $BTC   to\n\nthe moon &amp; beyond https://t.co/abc123 🚀  "), "$BTC to the moon & beyond <url> 🚀");
  core::Post post;
  post.text = "RT @whale: this is the dip to buy now";
  clean_post(post);
  EXPECT_TRUE(post.is_retweet);
  EXPECT_EQ(post.lang, "en");
  EXPECT_EQ(guess_language("比特币 今天 上涨 了"), "und");
  EXPECT_EQ(guess_language("Bitcoin steigt heute wieder deutlich"), "und");
}

}  // namespace
}  // namespace cryptolake::transform
