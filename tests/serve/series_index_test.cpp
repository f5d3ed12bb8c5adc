#include "serve/series_index.hpp"

#include <gtest/gtest.h>

#include <random>

#include <fmt/format.h>

#include "query/result_format.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::serve {
namespace {

constexpr int64_t kStart = 1'704'067'200'000'000;  // 2024-01-01, in µs
constexpr int64_t kRows = 6'000;

// The answer columns: every kind the index holds, with nulls, nan, ±inf, extremes and text
// that needs escaping.
const SeriesShape kShape{"t", {"symbol", "interval"}, "ts", "epoch_ms(ts) AS time, price, qty, n32, n16, n8, note"};

class SeriesIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    duckdb_ = std::move(*lake::DuckDb::open({dir_.path() / "lake", 2, "1GB"}));
    auto connection = duckdb_->connect();
    ASSERT_TRUE(connection);
    // Three symbols, two intervals; times unique, not whole milliseconds, not in order.
    ASSERT_TRUE(connection->execute(fmt::format(
        "CREATE TABLE t AS SELECT 'S' || (i % 3) AS symbol, CASE WHEN i % 5 = 0 THEN '5m' ELSE '1m' END AS interval, "
        "make_timestamp({0} + ((i * 7919) % {1}) * 60000000 + (i % 997))::TIMESTAMPTZ AS ts, "
        "CASE i % 61 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN 'inf'::DOUBLE WHEN 2 THEN '-inf'::DOUBLE WHEN 3 THEN NULL WHEN 4 THEN 0.0 "
        "WHEN 5 THEN 1e300 ELSE (hash(i) % 1000000007)::DOUBLE / 1000.0 * pow(10, (i % 41) - 20) END AS price, "
        "CASE WHEN i % 13 = 0 THEN NULL ELSE (hash(i) % 9007199254740993)::BIGINT - 4503599627370496 END AS qty, "
        "(i * 104729 % 2147483647)::INTEGER - 1073741823 AS n32, (i % 65535 - 32767)::SMALLINT AS n16, (i % 255 - 127)::TINYINT AS n8, "
        "CASE WHEN i % 17 = 0 THEN NULL ELSE 'note \"' || i || '\" é\\' END AS note FROM range({1}) r(i)",
        kStart, kRows)));
    // One row without a time in a series, and one without a symbol (no request reaches it).
    ASSERT_TRUE(connection->execute(
        fmt::format("INSERT INTO t VALUES ('S1', '1m', NULL, 1.5, 2, 3, 4, 5, 'no time'), (NULL, '1m', make_timestamp({}), 1, 1, 1, 1, 1, 'x')", kStart)));
  }

  query::ResultTable by_sql(const SeriesRequest& request, const query::SqlSession::Limits& limits) {
    std::string where = fmt::format("symbol = '{}' AND interval = '{}'", request.key[0], request.key[1]);
    if (request.from) where += fmt::format(" AND ts >= {}::TIMESTAMPTZ", request.from->sql_literal());
    if (request.to) where += fmt::format(" AND ts < {}::TIMESTAMPTZ", request.to->sql_literal());
    if (!session_) session_ = std::move(*query::SqlSession::attach(*duckdb_, {"t"}));
    auto answer = session_->run(fmt::format("SELECT {} FROM t WHERE {} ORDER BY ts DESC LIMIT {}", kShape.columns, where, request.limit), limits);
    EXPECT_TRUE(answer) << answer.error().message;
    return answer ? *answer : query::ResultTable{};
  }

  std::shared_ptr<const SeriesIndex> index() {
    auto connection = duckdb_->connect();
    auto built = SeriesIndex::build(*connection, "t", kShape);
    EXPECT_TRUE(built) << built.error().message;
    return built ? *built : nullptr;
  }

  testing::TempDir dir_;
  std::unique_ptr<lake::DuckDb> duckdb_;
  std::unique_ptr<query::SqlSession> session_;
};

void expect_same(const query::ResultTable& index, const query::ResultTable& sql, const std::string& what) {
  EXPECT_EQ(index.columns, sql.columns) << what;
  EXPECT_EQ(index.numeric, sql.numeric) << what;
  EXPECT_EQ(index.truncated, sql.truncated) << what;
  ASSERT_EQ(index.rows.size(), sql.rows.size()) << what;
  for (size_t r = 0; r < sql.rows.size(); ++r) ASSERT_EQ(index.rows[r], sql.rows[r]) << what << ", row " << r;
  EXPECT_EQ(query::format_json(index), query::format_json(sql)) << what;
}

TEST_F(SeriesIndexTest, AnswersWhatTheSameSelectAnswersForAnyKeyRangeAndLimit) {
  const auto held = index();
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(held->rows(), kRows + 1);  // the row without a symbol is not held
  std::mt19937_64 random(7);
  const auto pick = [&](int64_t n) { return static_cast<int64_t>(random() % static_cast<uint64_t>(n)); };
  const std::vector<std::vector<std::string>> keys = {{"S0", "1m"}, {"S1", "1m"}, {"S2", "5m"}, {"S1", "5m"}, {"S9", "1m"}, {"S0", "1d"}};
  size_t rows_compared = 0;
  for (int i = 0; i < 400; ++i) {
    SeriesRequest request{keys[static_cast<size_t>(i) % keys.size()], std::nullopt, std::nullopt, static_cast<size_t>(1 + pick(i % 4 ? 300 : 5'000))};
    // Bounds anywhere around the data, some exactly on a row's time (from is inclusive, to is not).
    const auto bound = [&] {
      if (pick(2) == 0) {
        const int64_t row = pick(kRows);  // that row's time, as the table computes it
        return core::Timestamp::from_micros(kStart + (row * 7919 % kRows) * 60'000'000 + row % 997);
      }
      return core::Timestamp::from_micros(kStart + (pick(kRows + 120) - 60) * 60'000'000 + pick(2'000'000));
    };
    if (pick(3) != 0) request.from = bound();
    if (pick(3) != 0) request.to = bound();
    const auto sql = by_sql(request, {});
    rows_compared += sql.rows.size();
    expect_same(held->answer(request, {}), sql, fmt::format("request {}", i));
  }
  EXPECT_GT(rows_compared, 20'000u);  // the requests reached rows, not just empty answers
}

TEST_F(SeriesIndexTest, CutsAnAnswerWhereTheSelectIsCut) {
  const auto held = index();
  ASSERT_NE(held, nullptr);
  for (const size_t max_bytes : {1, 300, 5'000, 60'000}) {
    for (const size_t max_rows : {1, 17, 1'000}) {
      const SeriesRequest request{{"S1", "1m"}, std::nullopt, std::nullopt, 500};
      const query::SqlSession::Limits limits{max_rows, max_bytes, 0};
      const auto sql = by_sql(request, limits);
      expect_same(held->answer(request, limits), sql, fmt::format("{} rows, {} bytes", max_rows, max_bytes));
    }
  }
  // The row without a time comes last, as DuckDB puts nulls last in a descending order.
  const auto all = held->answer({{"S1", "1m"}, std::nullopt, std::nullopt, 100'000}, {});
  ASSERT_FALSE(all.rows.empty());
  EXPECT_EQ(all.rows.back().back(), "no time");
  EXPECT_EQ(all.rows.back().front(), std::nullopt);
}

TEST_F(SeriesIndexTest, RefusesAColumnOfATypeItDoesNotHold) {
  auto connection = duckdb_->connect();
  const SeriesShape timestamps{"t", {"symbol", "interval"}, "ts", "ts AS time, price"};
  auto built = SeriesIndex::build(*connection, "t", timestamps);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().message.find("time"), std::string::npos) << built.error().message;
}

}  // namespace
}  // namespace cryptolake::serve
