#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/timestamp.hpp"
#include "lake/curated_writer.hpp"
#include "lake/local_object_store.hpp"
#include "quality/check_runner.hpp"
#include "quality/publish_gate.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::quality {
namespace {

using lake::ColumnType;
using core::Timestamp;

// A candle row: symbol, minute, open, high, low, close, volume.
struct Candle {
  const char* symbol;
  int minute;
  double open, high, low, close, volume;
};

class QualityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<lake::LocalObjectStore>(dir_.path());
    duckdb_ = std::move(*lake::DuckDb::open({dir_.path(), 1, "1GB"}));
  }

  lake::ColumnBatch candles(const std::string& dt, const std::vector<Candle>& rows, bool null_close = false) {
    lake::ColumnBatch batch({{"source", ColumnType::varchar}, {"symbol", ColumnType::varchar}, {"interval", ColumnType::varchar},
                             {"open_time", ColumnType::timestamp_tz}, {"close_time", ColumnType::timestamp_tz},
                             {"open", ColumnType::float64}, {"high", ColumnType::float64}, {"low", ColumnType::float64},
                             {"close", ColumnType::float64}, {"volume", ColumnType::float64}});
    const int64_t day = Timestamp::parse_date(dt)->micros();
    for (const Candle& c : rows) {
      batch.add("binance");
      batch.add(c.symbol);
      batch.add("1m");
      batch.add(day + c.minute * int64_t{60'000'000});
      batch.add(day + c.minute * int64_t{60'000'000} + 59'999'000);
      batch.add(c.open);
      batch.add(c.high);
      batch.add(c.low);
      if (null_close) batch.add_null();
      else batch.add(c.close);
      batch.add(c.volume);
      batch.end_row();
    }
    return batch;
  }

  // Writes through a gate with `checks`; returns whether the partition was published.
  bool write_gated(const std::vector<CheckSpec>& checks, const std::string& dt, const lake::ColumnBatch& batch,
                   std::vector<CheckResult>* results = nullptr) {
    GatedObjectStore gate(*store_, *duckdb_, checks, {"run-test", Timestamp::from_seconds(1'700'000'000)}, false);
    auto connection = duckdb_->connect();
    lake::CuratedWriter writer(*connection, gate);
    EXPECT_TRUE(writer.write("market_ohlcv", dt, batch));
    if (results) *results = gate.results();
    return gate.held().empty();
  }

  // `at` is the run's clock: freshness is judged at that instant, whatever the machine's time.
  std::vector<CheckResult> run(const std::vector<CheckSpec>& checks, Timestamp at = *Timestamp::parse_iso("2024-01-11T00:00:00Z")) {
    auto results = run_checks(*store_, *duckdb_, checks, {"run-test", at});
    EXPECT_TRUE(results) << results.error().message;
    return results ? *results : std::vector<CheckResult>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<lake::LocalObjectStore> store_;
  std::unique_ptr<lake::DuckDb> duckdb_;
};

CheckSpec spec(CheckKind kind, std::vector<std::string> columns, Severity severity = Severity::error) {
  CheckSpec c;
  c.table = "market_ohlcv";
  c.kind = kind;
  c.columns = std::move(columns);
  c.severity = severity;
  return c;
}

const std::vector<Candle> kClean = {{"BTC-USDT", 0, 10, 11, 9, 10.5, 1}, {"BTC-USDT", 1, 10.5, 12, 10, 11, 2},
                                    {"ETH-USDT", 0, 2, 2.5, 1.5, 2.2, 3}};

TEST_F(QualityTest, EachCheckCatchesItsFaultAndPassesCleanData) {
  CheckSpec high = spec(CheckKind::expression, {});
  high.expression = "high >= greatest(open, close)";
  CheckSpec range = spec(CheckKind::accepted_range, {"volume"});
  range.min = 0;
  const std::vector<CheckSpec> checks = {spec(CheckKind::not_null, {"close"}),
                                         spec(CheckKind::unique, {"source", "symbol", "interval", "open_time"}), high, range};
  std::vector<CheckResult> results;
  EXPECT_TRUE(write_gated(checks, "2024-01-01", candles("2024-01-01", kClean), &results));
  ASSERT_EQ(results.size(), 4u);
  for (const auto& r : results) EXPECT_EQ(r.status, "pass") << r.check;

  const struct {
    const char* what;
    std::vector<Candle> rows;
    bool null_close;
    size_t failing;  // index into checks
  } faults[] = {
      {"a NULL close", kClean, true, 0},
      {"a duplicate key", {{"BTC-USDT", 0, 10, 11, 9, 10.5, 1}, {"BTC-USDT", 0, 10, 11, 9, 10.5, 1}}, false, 1},
      {"high below close", {{"BTC-USDT", 0, 10, 10.2, 9, 10.5, 1}}, false, 2},
      {"negative volume", {{"BTC-USDT", 0, 10, 11, 9, 10.5, -4}}, false, 3},
  };
  for (const auto& fault : faults) {
    SCOPED_TRACE(fault.what);
    EXPECT_FALSE(write_gated(checks, "2024-01-02", candles("2024-01-02", fault.rows, fault.null_close), &results));
    for (size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i].status, i == fault.failing ? "fail" : "pass") << results[i].check;
    EXPECT_TRUE(std::filesystem::exists(dir_.path() / "curated/market_ohlcv/_held/dt=2024-01-02/part-0.parquet"));
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "curated/market_ohlcv/dt=2024-01-02"));
  }
}

// Row conditions count their breaking rows in one scan; a configured expression DuckDB cannot run
// fails that check alone (with DuckDB's reason), and every other check still judges the partition.
TEST_F(QualityTest, ABrokenExpressionFailsAloneAndTheOtherChecksStillJudge) {
  CheckSpec low = spec(CheckKind::expression, {});
  low.expression = "low <= least(open, close)";
  CheckSpec broken = spec(CheckKind::expression, {}, Severity::warn);
  broken.expression = "no_such_column > 0";
  CheckSpec range = spec(CheckKind::accepted_range, {"volume"}, Severity::warn);
  range.max = 1.5;
  const std::vector<CheckSpec> checks = {range, spec(CheckKind::unique, {"source", "symbol", "interval", "open_time"}), low};
  std::vector<CheckResult> results;
  EXPECT_TRUE(write_gated(checks, "2024-01-01", candles("2024-01-01", kClean), &results));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].observed, 2);  // two rows above 1.5
  EXPECT_EQ(results[0].status, "fail");
  EXPECT_EQ(results[1].status, "pass");
  EXPECT_EQ(results[2].status, "pass");

  std::vector<CheckSpec> with_broken = checks;
  with_broken.insert(with_broken.begin() + 1, broken);
  EXPECT_TRUE(write_gated(with_broken, "2024-01-02", candles("2024-01-02", kClean), &results));
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].observed, 2);
  EXPECT_EQ(results[1].check, broken.name());
  EXPECT_EQ(results[1].status, "fail");
  EXPECT_NE(results[1].note.find("no_such_column"), std::string::npos) << results[1].note;
  EXPECT_EQ(results[2].status, "pass");
  EXPECT_EQ(results[3].status, "pass");
}

TEST_F(QualityTest, WarningsDoNotBlockPublishing) {
  CheckSpec range = spec(CheckKind::accepted_range, {"volume"}, Severity::warn);
  range.max = 1.5;
  std::vector<CheckResult> results;
  EXPECT_TRUE(write_gated({range}, "2024-01-01", candles("2024-01-01", kClean), &results));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, "fail");
  EXPECT_EQ(results[0].observed, 2);  // two rows above 1.5
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "curated/market_ohlcv/dt=2024-01-01/part-0.parquet"));
}

// quality --changed: a partition's checks run again only when what they read changed.
TEST_F(QualityTest, OnlyWhatChangedIsCheckedAgain) {
  for (int d = 1; d <= 9; ++d) {
    ASSERT_TRUE(write_gated({}, fmt::format("2024-01-0{}", d), candles(fmt::format("2024-01-0{}", d), kClean)));
  }
  CheckSpec fresh = spec(CheckKind::freshness, {"open_time"}, Severity::warn);
  fresh.max_age_hours = 48;
  CheckSpec rows = spec(CheckKind::row_count, {}, Severity::warn);
  const std::vector<CheckSpec> checks = {spec(CheckKind::not_null, {"close"}), rows, fresh};
  const auto checked = [&](const TableVersions& before) {
    const auto now = published_versions(*store_);
    EXPECT_TRUE(now);
    const ChangedSince since{before, *now};
    auto results = run_checks(*store_, *duckdb_, checks, {"run-test", *Timestamp::parse_iso("2024-01-11T00:00:00Z")}, {}, &since);
    EXPECT_TRUE(results);
    std::vector<std::string> out;
    for (const CheckResult& r : results.value_or(std::vector<CheckResult>{})) out.push_back(r.partition + " " + r.check.substr(0, r.check.find('(')));
    std::ranges::sort(out);
    return out;
  };
  // Nothing checked before: everything (9 partitions × 2 checks, and freshness).
  EXPECT_EQ(checked({}).size(), 19u);
  auto versions = published_versions(*store_);
  ASSERT_TRUE(versions);
  ASSERT_TRUE(record_checked_versions(*store_, *versions));
  const TableVersions before = checked_versions(*store_);
  EXPECT_EQ(before, *versions);
  // Unchanged: only the freshness check, which depends on the time.
  EXPECT_EQ(checked(before), std::vector<std::string>{"* market_ohlcv.freshness"});
  // One partition rewritten: its checks, and the row counts of the (up to 7) partitions after it.
  std::vector<Candle> more = kClean;
  more.push_back({"ETH-USDT", 1, 2.2, 2.3, 2.1, 2.2, 1});
  ASSERT_TRUE(write_gated({}, "2024-01-02", candles("2024-01-02", more)));
  EXPECT_EQ(checked(before), (std::vector<std::string>{"* market_ohlcv.freshness", "2024-01-02 market_ohlcv.not_null", "2024-01-02 market_ohlcv.row_count", "2024-01-03 market_ohlcv.row_count",
                                                       "2024-01-04 market_ohlcv.row_count", "2024-01-05 market_ohlcv.row_count", "2024-01-06 market_ohlcv.row_count",
                                                       "2024-01-07 market_ohlcv.row_count", "2024-01-08 market_ohlcv.row_count", "2024-01-09 market_ohlcv.row_count"}));
}

TEST_F(QualityTest, TableLevelChecksFreshnessRowCountAndReferential) {
  for (int d = 1; d <= 8; ++d) {
    const std::string dt = fmt::format("2024-01-0{}", d);
    std::vector<Candle> rows;
    for (int m = 0; m < (d == 8 ? 2 : 10); ++m) rows.push_back({"BTC-USDT", m, 10, 11, 9, 10.5, 1});
    ASSERT_TRUE(write_gated({}, dt, candles(dt, rows)));
  }
  CheckSpec fresh = spec(CheckKind::freshness, {"open_time"}, Severity::warn);
  fresh.max_age_hours = 48;
  CheckSpec rows = spec(CheckKind::row_count, {}, Severity::warn);
  rows.min = 0.5;
  rows.max = 1.5;
  CheckSpec ref = spec(CheckKind::referential, {"symbol"}, Severity::warn);
  ref.ref_table = "dim_symbol";
  ref.ref_column = "symbol";
  auto results = run({fresh, rows, ref});
  std::map<std::string, CheckResult> by_partition;
  for (const auto& r : results) {
    if (r.check.find("row_count") != std::string::npos) by_partition[r.partition] = r;
  }
  EXPECT_EQ(by_partition["2024-01-07"].status, "pass");
  EXPECT_EQ(by_partition["2024-01-08"].status, "fail");  // 2 rows against a trailing mean of 10
  EXPECT_DOUBLE_EQ(by_partition["2024-01-08"].observed, 0.2);
  const auto stale = std::ranges::find_if(results, [](const CheckResult& r) { return r.check.find("freshness") != std::string::npos; });
  ASSERT_NE(stale, results.end());
  EXPECT_EQ(stale->status, "fail");  // the newest candle (2024-01-08 00:01) is 71.98 h old on 2024-01-11
  EXPECT_NEAR(stale->observed, 72 - 1.0 / 60, 1e-9);
  EXPECT_EQ(stale->partition, "*");
  // Twelve hours after that candle, by the run's clock, the table is fresh.
  const auto fresh_run = run({fresh}, *Timestamp::parse_iso("2024-01-08T12:01:00Z"));
  ASSERT_EQ(fresh_run.size(), 1u);
  EXPECT_EQ(fresh_run[0].status, "pass");
  EXPECT_NEAR(fresh_run[0].observed, 12.0, 1e-9);
  const auto skipped = std::ranges::find_if(results, [](const CheckResult& r) { return r.check.find("referential") != std::string::npos; });
  EXPECT_EQ(skipped->status, "skipped");  // dim_symbol not built

  // With the reference table present, the unknown symbol is caught.
  lake::ColumnBatch dim({{"symbol", ColumnType::varchar}});
  dim.add("ETH-USDT");
  dim.end_row();
  auto connection = duckdb_->connect();
  ASSERT_TRUE(lake::CuratedWriter(*connection, *store_).write("dim_symbol", "2024-01-01", dim));
  results = run({ref});
  ASSERT_FALSE(results.empty());
  EXPECT_EQ(results[0].status, "fail");
  EXPECT_EQ(results[0].observed, 10);

  ASSERT_TRUE(append_results(*store_, *duckdb_, results));
  ASSERT_TRUE(append_results(*store_, *duckdb_, results));  // appends, keeping the earlier rows
  auto stored = connection->query("SELECT count(*) FROM read_parquet('" +
                                  (dir_.path() / "curated/dq_results/*/*.parquet").string() + "')");
  EXPECT_EQ(stored->int64(0, 0), static_cast<int64_t>(2 * results.size()));
  EXPECT_NE(format_report(results).find("warn  market_ohlcv.referential(symbol in dim_symbol.symbol) [2024-01-01]"), std::string::npos)
      << format_report(results);
}

TEST(QualityConfig, ConfiguredChecksAndDisabledDefaults) {
  core::QualityConfig config;
  config.checks.push_back({"posts", "accepted_range", {"like_count"}, "", 0.0, 1e6, 48, "", "", "warn"});
  config.disable.push_back("market_ohlcv.freshness(open_time)");
  auto checks = checks_from_config(config);
  ASSERT_TRUE(checks);
  EXPECT_EQ(checks->back().name(), "posts.accepted_range(like_count)");
  EXPECT_EQ(checks->back().severity, Severity::warn);
  EXPECT_TRUE(std::ranges::none_of(*checks, [](const CheckSpec& c) { return c.name() == "market_ohlcv.freshness(open_time)"; }));
  config.checks.back().check = "looks_fine";
  EXPECT_FALSE(checks_from_config(config));
}

}  // namespace
}  // namespace cryptolake::quality
