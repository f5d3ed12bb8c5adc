#include "query/result_format.hpp"

#include <gtest/gtest.h>

#include "lake/local_object_store.hpp"
#include "query/sql_session.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::query {
namespace {

ResultTable sample() {
  ResultTable t;
  t.columns = {"symbol", "price", "note"};
  t.numeric = {false, true, false};
  t.rows = {{"BTC-USDT", "42000.5", "a, \"quoted\"\nline"}, {"ETH-USDT", std::nullopt, "🚀"}};
  return t;
}

TEST(ResultFormat, CsvQuotesWhatNeedsQuotingAndLeavesNullEmpty) {
  EXPECT_EQ(format_csv(sample()), "symbol,price,note\nBTC-USDT,42000.5,\"a, \"\"quoted\"\"\nline\"\nETH-USDT,,🚀\n");
}

TEST(ResultFormat, JsonKeepsNumbersNumericAndNullsNull) {
  EXPECT_EQ(format_json(sample()),
            "[\n {\"symbol\": \"BTC-USDT\", \"price\": 42000.5, \"note\": \"a, \\\"quoted\\\"\\nline\"},\n"
            " {\"symbol\": \"ETH-USDT\", \"price\": null, \"note\": \"🚀\"}\n]\n");
}

TEST(ResultFormat, TableAlignsNumbersRightAndCountsRows) {
  const std::string table = format_table(sample());
  EXPECT_NE(table.find("│ symbol   │ price   │ note             │"), std::string::npos) << table;
  EXPECT_NE(table.find("│ BTC-USDT │ 42000.5 │ a, \"quoted\" line │"), std::string::npos) << table;
  // The rocket takes two terminal columns.
  EXPECT_NE(table.find("│ ETH-USDT │    NULL │ 🚀               │"), std::string::npos) << table;
  EXPECT_TRUE(table.ends_with("2 rows\n"));
  EXPECT_TRUE(format_table(sample(), 1).ends_with("2 rows (1 shown; use --format csv for all)\n"));
}

TEST(SqlSession, CuratedTablesAreViewsWithDtAsAColumn) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path());
  auto duckdb = std::move(*lake::DuckDb::open({dir.path(), 1, "1GB"}));
  auto connection = std::move(*duckdb->connect());
  std::filesystem::create_directories(dir.path() / "curated/prices/dt=2024-01-02");
  ASSERT_TRUE(connection.execute("COPY (SELECT 1 AS x, TIMESTAMPTZ '2024-01-02 03:04:05+00' AS ts, ['a','b'] AS l) TO '" +
                                 (dir.path() / "curated/prices/dt=2024-01-02/part-0.parquet").string() + "'"));
  auto session = SqlSession::open(store, *duckdb);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_EQ((*session)->tables(), std::vector<std::string>{"prices"});
  auto result = (*session)->run("SELECT x, dt, ts, l FROM prices");
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0][0], "1");
  EXPECT_EQ(result->rows[0][1], "2024-01-02");
  EXPECT_EQ(result->rows[0][2], "2024-01-02 03:04:05+00");
  EXPECT_EQ(result->rows[0][3], "[a, b]");
  EXPECT_TRUE(result->numeric[0]);
  auto error = (*session)->run("SELECT * FROM missing_table");
  ASSERT_FALSE(error);
  EXPECT_NE(error.error().message.find("missing_table"), std::string::npos);
}

TEST(SqlSession, AQueryPastItsTimeIsStoppedAndItsConnectionIsNotForReuse) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path());
  auto duckdb = std::move(*lake::DuckDb::open({dir.path(), 1, "1GB"}));
  ASSERT_TRUE(SqlSession::open(store, *duckdb));
  // Many sessions at once share the one watchdog: the slow one is stopped, the quick ones are not.
  auto slow = SqlSession::attach(*duckdb, {});
  auto quick = SqlSession::attach(*duckdb, {});
  ASSERT_TRUE(slow && quick);
  auto answered = (*quick)->run("SELECT 42 AS n", {10, 1 << 20, 60'000});
  ASSERT_TRUE(answered) << answered.error().message;
  EXPECT_EQ(answered->rows[0][0], "42");
  EXPECT_TRUE((*quick)->reusable());
  auto stopped = (*slow)->run("SELECT count(*) FROM range(1000000000000) a", {10, 1 << 20, 100});
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, core::ErrorCode::timed_out);
  EXPECT_FALSE((*slow)->reusable());
  // The quick session, kept, answers again.
  auto second = (*quick)->run("SELECT 7 AS n", {10, 1 << 20, 60'000});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->rows[0][0], "7");
}

// Doubles and integers come from DuckDB as numbers and are written here: the text must be what
// DuckDB's own cast writes, for every magnitude and the special values.
TEST(SqlSession, NumbersAreWrittenAsDuckDbCastsThem) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path());
  auto duckdb = std::move(*lake::DuckDb::open({dir.path(), 1, "1GB"}));
  auto session = SqlSession::open(store, *duckdb);
  ASSERT_TRUE(session) << session.error().message;
  const std::string doubles =
      "SELECT v, CAST(v AS VARCHAR) AS duckdb_text FROM ("
      " SELECT (hash(range) % 1000000007)::DOUBLE / 997 * pow(10, (range % 61) - 30) * (CASE WHEN range % 2 = 0 THEN 1 ELSE -1 END) AS v"
      "   FROM range(60000)"
      " UNION ALL SELECT round((hash(range) % 100000000000)::DOUBLE / pow(10, range % 7), CAST(range % 5 AS INTEGER)) FROM range(20000)"
      " UNION ALL SELECT pow(10, range) FROM range(-30, 30)"
      " UNION ALL SELECT v FROM (VALUES (0.0), (-0.0), (1.0), (0.1 + 0.2), (1e16), (123456789012345678.0), ('nan'::DOUBLE),"
      "   ('inf'::DOUBLE), ('-inf'::DOUBLE), (5e-324), (2.2250738585072014e-308), (1.7976931348623157e308)) t(v))";
  auto answered = (*session)->run(doubles);
  ASSERT_TRUE(answered) << answered.error().message;
  ASSERT_EQ(answered->rows.size(), 80'072u);
  EXPECT_TRUE(answered->numeric[0]);
  size_t differing = 0;
  for (const auto& row : answered->rows) {
    if (row[0] != row[1] && ++differing <= 5) ADD_FAILURE() << *row[0] << " written, DuckDB writes " << *row[1];
  }
  EXPECT_EQ(differing, 0u);
  const std::string integers =
      "SELECT i, CAST(i AS VARCHAR), n, CAST(n AS VARCHAR), s, CAST(s AS VARCHAR), t, CAST(t AS VARCHAR) FROM ("
      " SELECT (hash(range) % 18446744073709551615)::HUGEINT - 9223372036854775807 AS h, CAST(h AS BIGINT) AS i,"
      "   CAST(h % 2147483647 AS INTEGER) AS n, CAST(h % 32767 AS SMALLINT) AS s, CAST(h % 127 AS TINYINT) AS t FROM range(5000)"
      " UNION ALL SELECT 0, -9223372036854775808, 2147483647, -32768, -128)";
  auto whole = (*session)->run(integers);
  ASSERT_TRUE(whole) << whole.error().message;
  ASSERT_EQ(whole->rows.size(), 5001u);
  for (const auto& row : whole->rows) {
    for (size_t c = 0; c < 8; c += 2) ASSERT_EQ(row[c], row[c + 1]) << "column " << c;
  }
  // As written by hand, and nulls stay null.
  auto few = (*session)->run("SELECT 1.0::DOUBLE AS a, 1e20::DOUBLE AS b, 0.1::DOUBLE + 0.2 AS c, NULL::DOUBLE AS d, -7::TINYINT AS e");
  ASSERT_TRUE(few) << few.error().message;
  EXPECT_EQ(few->rows[0], (std::vector<std::optional<std::string>>{"1.0", "1e+20", "0.30000000000000004", std::nullopt, "-7"}));
}

// A text asked again answers from its prepared statement, within the limits of this call; once
// the database says its views changed, as the view is now, with the columns it has now.
TEST(SqlSession, ATextAskedAgainFollowsTheViewsItReads) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path());
  auto duckdb = std::move(*lake::DuckDb::open({dir.path(), 1, "1GB"}));
  ASSERT_TRUE(SqlSession::open(store, *duckdb));
  auto admin = duckdb->connect();
  ASSERT_TRUE(admin && admin->execute("CREATE VIEW v AS SELECT range AS x FROM range(3)"));
  auto session = SqlSession::attach(*duckdb, {"v"});
  ASSERT_TRUE(session);
  const std::string text = "SELECT * FROM v ORDER BY 1";
  const auto cells = [](const ResultTable& t) {
    std::string all;
    for (const auto& row : t.rows) {
      for (const auto& cell : row) all += cell.value_or("NULL") + ";";
    }
    return all;
  };
  auto first = (*session)->run(text);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(cells(*first), "0;1;2;");
  EXPECT_EQ(first->columns, std::vector<std::string>{"x"});
  EXPECT_TRUE(first->numeric[0]);
  ASSERT_TRUE(admin->execute("CREATE OR REPLACE VIEW v AS SELECT range + 10 AS x FROM range(2)"));
  duckdb->views_changed();
  auto rebound = (*session)->run(text);
  ASSERT_TRUE(rebound) << rebound.error().message;
  EXPECT_EQ(cells(*rebound), "10;11;");
  auto cut = (*session)->run(text, {1, 1 << 20, 0});
  ASSERT_TRUE(cut) << cut.error().message;
  EXPECT_EQ(cells(*cut), "10;");
  EXPECT_TRUE(cut->truncated);
  ASSERT_TRUE(admin->execute("CREATE OR REPLACE VIEW v AS SELECT 'a' AS y, 'b' AS z"));
  duckdb->views_changed();
  auto reshaped = (*session)->run(text);
  ASSERT_TRUE(reshaped) << reshaped.error().message;
  EXPECT_EQ(cells(*reshaped), "a;b;");
  EXPECT_EQ(reshaped->columns, (std::vector<std::string>{"y", "z"}));
  EXPECT_FALSE(reshaped->numeric[0]);
}

}  // namespace
}  // namespace cryptolake::query
