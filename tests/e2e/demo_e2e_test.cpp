// The demo end to end, checked from the outside: through `cryptolake sql`, and against values the
// test computes itself from the raw payloads the simulator landed.
#include <gtest/gtest.h>

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "e2e/lake_queries.hpp"
#include "lake/local_object_store.hpp"
#include "lake/raw_zone.hpp"
#include "io/codec/zstd.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::testing {
namespace {

constexpr int kDays = 3;
constexpr int kSymbols = 3;

class DemoLake : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    lake_ = dir_->path() / "lake";
    const ProcessResult demo = run_cryptolake({"demo", "--lake", lake_.string(), "--days", std::to_string(kDays),
                                               "--symbols", std::to_string(kSymbols), "--seed", "5"});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    output_ = new std::string(demo.out);
    manifest_json_ = new simdjson::padded_string(read_file((lake_ / "_catalog/simulator/manifest.json").string()));
    parser_ = new simdjson::dom::parser;
    manifest_ = parser_->parse(*manifest_json_);
  }
  static void TearDownTestSuite() {
    delete parser_;
    delete manifest_json_;
    delete output_;
    delete dir_;
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::filesystem::path lake_;
  static inline std::string* output_ = nullptr;
  static inline simdjson::padded_string* manifest_json_ = nullptr;
  static inline simdjson::dom::parser* parser_ = nullptr;
  static inline simdjson::dom::element manifest_;
};

// The demo lake's default DAG works offline: its ingest continues the demo's market (its symbols)
// for the hour that just ended, and the runs are listed.
TEST_F(DemoLake, TheDefaultScheduleRunsOnceOnIt) {
  const ProcessResult run = run_cryptolake({"--lake", lake_.string(), "schedule", "run", "--once"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const ProcessResult runs = run_cryptolake({"--lake", lake_.string(), "runs", "--format", "csv"});
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_EQ(runs.out.substr(0, runs.out.find('\n')), "run_id,task,interval_start,interval_end,state,attempt,started_at,ended_at,rows_in,rows_out,error");
  EXPECT_EQ(std::count(runs.out.begin(), runs.out.end(), '\n'), 5) << runs.out;
  size_t successes = 0;
  for (size_t at = runs.out.find(",success,1,"); at != std::string::npos; at = runs.out.find(",success,1,", at + 1)) ++successes;
  EXPECT_EQ(successes, 4u) << runs.out;
  // The new hour: 60 candles for each of the demo's symbols, and no other symbol.
  const ProcessResult hour = run_cryptolake(
      {"sql", "--lake", lake_.string(), "--format", "csv",
       "SELECT count(*), count(DISTINCT symbol), (SELECT count(DISTINCT symbol) FROM market_ohlcv) FROM market_ohlcv "
       "WHERE open_time >= (SELECT min(interval_start) FROM runs)"});
  ASSERT_EQ(hour.exit_code, 0) << hour.err;
  EXPECT_EQ(hour.out, fmt::format("count_star(),count(DISTINCT symbol),(SELECT count(DISTINCT symbol) FROM market_ohlcv)\n{},{},{}\n", 60 * kSymbols,
                                  kSymbols, kSymbols));
}

TEST_F(DemoLake, PrintsASummaryAndAnswersItsExampleQueries) {
  EXPECT_NE(output_->find("market_ohlcv"), std::string::npos);
  EXPECT_NE(output_->find("-- Which coins moved most?"), std::string::npos);
  EXPECT_NE(output_->find("│ BTC-USDT"), std::string::npos);
  EXPECT_NE(output_->find("demo finished in"), std::string::npos);
}

TEST_F(DemoLake, RowCountIsSymbolsTimesMinutesMinusTheInjectedGap) {
  int64_t gap_minutes = 0;
  for (simdjson::dom::object gap : manifest_["gaps"].get_array()) gap_minutes += gap["minutes"].get_int64().value();
  EXPECT_EQ(gap_minutes, kSymbols * 3);
  const auto rows = sql_rows(lake_, "SELECT count(*) FROM market_ohlcv");
  EXPECT_EQ(std::stoll(rows.at(0).at(0)), int64_t{kSymbols} * kDays * 1440 - gap_minutes);
  // The gap is really missing: the minutes it names are not there.
  for (simdjson::dom::object gap : manifest_["gaps"].get_array()) {
    const std::string start(gap["start"].get_string().value());
    const auto found = sql_rows(lake_, "SELECT count(*) FROM market_ohlcv WHERE symbol = '" +
                                           std::string(gap["symbol"].get_string().value()) + "' AND open_time >= '" +
                                           start + "' AND open_time < TIMESTAMPTZ '" + start + "' + INTERVAL 3 MINUTE");
    EXPECT_EQ(found.at(0).at(0), "0");
  }
}

TEST_F(DemoLake, NoDuplicateKeys) {
  EXPECT_GT(manifest_["duplicates"].get_int64().value(), 0);
  const auto rows = sql_rows(lake_,
                             "SELECT count(*) FROM (SELECT source, symbol, interval, open_time FROM market_ohlcv "
                             "GROUP BY ALL HAVING count(*) > 1)");
  EXPECT_EQ(rows.at(0).at(0), "0");
  const auto posts = sql_rows(lake_, "SELECT count(*), count(DISTINCT post_id) FROM posts");
  EXPECT_EQ(posts.at(0).at(0), posts.at(0).at(1));
  EXPECT_EQ(std::stoll(posts.at(0).at(0)), manifest_["posts"].get_int64().value());
}

// The test's own reading of the raw zone: BTC candles, the latest received copy of each.
struct RawCandle {
  std::string received_at;
  double close = 0;
  double volume = 0;
};

std::map<int64_t, RawCandle> btc_from_raw(const std::filesystem::path& lake) {
  lake::LocalObjectStore store(lake);
  std::map<int64_t, RawCandle> candles;
  simdjson::dom::parser parser;
  const auto batches = *lake::RawZoneReader(store).list_batches("simulator", "klines");
  for (const std::string& key : batches) {
    const std::string text = *io::zstd_decompress(*store.get(key));
    for (size_t pos = 0; pos < text.size();) {
      const size_t end = text.find('\n', pos);
      const simdjson::padded_string line(text.substr(pos, end - pos));
      pos = end + 1;
      simdjson::dom::element envelope = parser.parse(line);
      if (std::string_view(envelope["request"]["symbol"].get_string().value()) != "BTCUSDT") continue;
      const std::string received(envelope["received_at"].get_string().value());
      for (simdjson::dom::array row : envelope["payload"].get_array()) {
        if (row.size() != 12) continue;  // a row cut short
        char* rest = nullptr;
        const std::string open_text(row.at(1).get_string().value()), volume_text(row.at(5).get_string().value());
        std::strtod(open_text.c_str(), &rest);
        if (*rest != '\0') continue;  // a garbled number
        const double high = std::stod(std::string(row.at(2).get_string().value()));
        const double low = std::stod(std::string(row.at(3).get_string().value()));
        const double volume = std::stod(volume_text);
        if (high < low || volume < 0) continue;
        const int64_t open_ms = row.at(0).get_int64().value();
        RawCandle& c = candles[open_ms];
        if (received > c.received_at) c = {received, std::stod(std::string(row.at(4).get_string().value())), volume};
      }
    }
  }
  return candles;
}

TEST_F(DemoLake, FeaturesEqualValuesComputedFromTheRawPayloads) {
  const auto raw = btc_from_raw(lake_);
  const auto rows = sql_rows(lake_,
                             "SELECT epoch_ms(f.open_time), f.close, f.prev_close, f.pct_change, f.ma_5, f.ma_long, "
                             "o.volume, f.dt FROM market_features f JOIN market_ohlcv o USING (source, symbol, interval, open_time) "
                             "WHERE symbol = 'BTC-USDT' ORDER BY open_time");
  ASSERT_EQ(rows.size(), raw.size());
  std::vector<double> closes;
  size_t i = 0, midnights = 0;
  std::string previous_dt;
  for (const auto& [open_ms, candle] : raw) {
    const auto& row = rows[i++];
    ASSERT_EQ(std::stoll(row[0]), open_ms);
    ASSERT_EQ(std::stod(row[1]), candle.close);
    ASSERT_EQ(std::stod(row[6]), candle.volume) << "the latest received copy must win, at " << open_ms;
    closes.push_back(candle.close);
    const size_t n = closes.size();
    const auto mean_last = [&](size_t w) {
      double sum = 0;
      const size_t k = std::min(w, n);
      for (size_t j = n - k; j < n; ++j) sum += closes[j];
      return sum / static_cast<double>(k);
    };
    EXPECT_NEAR(std::stod(row[4]), mean_last(5), 1e-9 * candle.close);
    EXPECT_NEAR(std::stod(row[5]), mean_last(20), 1e-9 * candle.close);
    if (n == 1) {
      EXPECT_EQ(row[2], "");  // NULL: nothing before the first candle
    } else {
      const double prev = closes[n - 2];
      EXPECT_EQ(std::stod(row[2]), prev);
      EXPECT_NEAR(std::stod(row[3]), (candle.close - prev) / prev * 100, 1e-9);
    }
    if (!previous_dt.empty() && row[7] != previous_dt) ++midnights;  // the windows crossed into a new partition
    previous_dt = row[7];
  }
  EXPECT_EQ(midnights, static_cast<size_t>(kDays - 1));
}

TEST_F(DemoLake, QuarantineHoldsExactlyTheInjectedMalformedRecordsWithReasons) {
  std::multiset<std::string> injected, quarantined;
  std::map<std::string, std::string> kind_of;
  for (simdjson::dom::object m : manifest_["malformed"].get_array()) {
    const std::string key = std::string(m["dataset"].get_string().value()) + ":" + std::string(m["key"].get_string().value());
    injected.insert(key);
    kind_of[key] = std::string(m["kind"].get_string().value());
  }
  ASSERT_FALSE(injected.empty());
  lake::LocalObjectStore store(lake_);
  simdjson::dom::parser parser;
  const auto quarantine_keys = *store.list("quarantine/");
  for (const std::string& key : quarantine_keys) {
    const std::string text = *io::zstd_decompress(*store.get(key));
    for (size_t pos = 0; pos < text.size();) {
      const size_t end = text.find('\n', pos);
      const simdjson::padded_string line(text.substr(pos, end - pos));
      pos = end + 1;
      simdjson::dom::element record = parser.parse(line);
      const std::string reason(record["reason"].get_string().value());
      const simdjson::padded_string body{std::string(record["record"].get_string().value())};
      simdjson::dom::parser inner;
      simdjson::dom::element original = inner.parse(body);
      std::string id;
      if (key.starts_with("quarantine/simulator/klines/")) {
        const std::string symbol = reason.substr(0, reason.find(' '));
        const int64_t open_ms = original.at(0).get_int64().value();
        id = "klines:" + symbol + "@" + core::Timestamp::from_millis(open_ms).iso();
      } else {
        id = "tweets:" + std::string(original["id"].get_string().value());
      }
      quarantined.insert(id);
      const std::string& kind = kind_of[id];
      const std::string expected = kind == "not a decimal"     ? "is not a decimal"
                                   : kind == "high below low"  ? "outside open"
                                   : kind == "short row"       ? "fields, expected 12"
                                   : kind == "negative volume" ? "negative volume"
                                                               : "is not ISO-8601";
      EXPECT_NE(reason.find(expected), std::string::npos) << id << " (" << kind << "): " << reason;
    }
  }
  EXPECT_EQ(quarantined, injected);
}

TEST_F(DemoLake, RerunningEtlGivesByteIdenticalFiles) {
  const auto before = curated_files(lake_);
  ASSERT_GT(before.size(), 4u * kDays - 1);
  const ProcessResult etl = run_cryptolake({"etl", "--lake", lake_.string()});
  ASSERT_EQ(etl.exit_code, 0) << etl.err;
  const auto after = curated_files(lake_);
  EXPECT_EQ(after.size(), before.size());
  for (const auto& [path, bytes] : before) {
    EXPECT_TRUE(after.contains(path) && after.at(path) == bytes) << path << " differs after the re-run";
  }
}

TEST_F(DemoLake, AggregatesAgreeWithTheCandles) {
  const auto agg = sql_rows(lake_, "SELECT min_price, max_price, first_price, last_price, candles FROM agg_market_daily "
                                   "WHERE symbol = 'ETH-USDT' AND dt = '2024-01-02'");
  const auto direct = sql_rows(lake_, "SELECT min(low), max(high), arg_min(open, open_time), arg_max(close, open_time), "
                                      "count(*) FROM market_ohlcv WHERE symbol = 'ETH-USDT' AND dt = '2024-01-02'");
  EXPECT_EQ(agg, direct);
}

TEST_F(DemoLake, SqlErrorsAreOneClearLineAndExitOne) {
  const ProcessResult bad = run_cryptolake({"sql", "--lake", lake_.string(), "SELECT * FROM no_such_table"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(bad.err.starts_with("error: ")) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  const ProcessResult json = run_cryptolake({"sql", "--lake", lake_.string(), "--format", "json",
                                             "SELECT symbol, count(*) AS n FROM market_ohlcv GROUP BY symbol ORDER BY symbol LIMIT 1"});
  EXPECT_EQ(json.out, "[\n {\"symbol\": \"BTC-USDT\", \"n\": " +
                          sql_rows(lake_, "SELECT count(*) FROM market_ohlcv WHERE symbol = 'BTC-USDT'")[0][0] + "}\n]\n");
}

}  // namespace
}  // namespace cryptolake::testing

namespace cryptolake::testing {
namespace {

// The summary the demo prints agrees with what the simulator says it sent: every candle and
// post once, every re-sent copy counted as a duplicate, every corrupted row quarantined.
TEST_F(DemoLake, TheSummaryCountsAreTheSimulatorsManifest) {
  const auto summary_row = [&](const std::string& table) {
    std::vector<int64_t> numbers;
    const size_t at = output_->find("\n" + table + " ");
    if (at == std::string::npos) return numbers;
    std::istringstream line(output_->substr(at + table.size() + 1, output_->find('\n', at + 1) - at - table.size() - 1));
    for (int64_t n = 0; numbers.size() < 5 && line >> n;) numbers.push_back(n);
    return numbers;  // records in, rows out, duplicates, quarantined, partitions
  };
  int64_t malformed_klines = 0, malformed_posts = 0;
  for (simdjson::dom::object m : manifest_["malformed"].get_array()) {
    (std::string_view(m["dataset"].get_string().value()) == "klines" ? malformed_klines : malformed_posts) += 1;
  }
  const auto ohlcv = summary_row("market_ohlcv");
  ASSERT_EQ(ohlcv.size(), 5u) << *output_;
  EXPECT_EQ(ohlcv[0], manifest_["kline_rows_sent"].get_int64().value() - malformed_klines);
  EXPECT_EQ(ohlcv[1], manifest_["klines"].get_int64().value());
  EXPECT_EQ(ohlcv[2], manifest_["duplicates"].get_int64().value());
  EXPECT_EQ(ohlcv[3], malformed_klines);
  EXPECT_EQ(ohlcv[4], kDays);
  const auto posts = summary_row("posts");
  ASSERT_EQ(posts.size(), 5u) << *output_;
  EXPECT_EQ(posts[0], manifest_["posts"].get_int64().value() + manifest_["post_duplicates"].get_int64().value());
  EXPECT_EQ(posts[1], manifest_["posts"].get_int64().value());
  EXPECT_EQ(posts[2], manifest_["post_duplicates"].get_int64().value());
  EXPECT_EQ(posts[3], malformed_posts);
}

}  // namespace
}  // namespace cryptolake::testing

namespace cryptolake::testing {
namespace {

// --write lets a session create its own macros and tables in memory, and still nothing reaches
// the lake's files or the views.
TEST_F(DemoLake, SqlWriteChangesOnlyTheSessionsMemory) {
  const std::string macro = "CREATE MACRO pct(a, b) AS 100 * (b - a) / a; SELECT pct(1, 2) AS p";
  const ProcessResult refused = run_cryptolake({"sql", "--lake", lake_.string(), macro});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("refused"), std::string::npos) << refused.err;
  const ProcessResult written = run_cryptolake({"sql", "--lake", lake_.string(), "--write", "--format", "csv", macro});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_EQ(written.out, "p\n100.0\n");
  const auto before = curated_files(lake_);
  const ProcessResult copy = run_cryptolake({"sql", "--lake", lake_.string(), "--write",
                                             "COPY (SELECT 1 AS x) TO '" + (lake_ / "x.csv").string() + "'"});
  EXPECT_EQ(copy.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(lake_ / "x.csv"));
  // Dropping a view drops the session's own copy; the next session has it again.
  const ProcessResult drop = run_cryptolake({"sql", "--lake", lake_.string(), "--write", "DROP VIEW market_ohlcv"});
  EXPECT_EQ(drop.exit_code, 0) << drop.err;
  EXPECT_EQ(curated_files(lake_), before);
  EXPECT_EQ(sql_rows(lake_, "SELECT count(*) > 0 FROM market_ohlcv"), (std::vector<std::vector<std::string>>{{"true"}}));
}

}  // namespace
}  // namespace cryptolake::testing
