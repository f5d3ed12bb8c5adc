#include "query/result_format.hpp"

#include <gtest/gtest.h>

#include "lake/local_object_store.hpp"
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

}  // namespace
}  // namespace cryptolake::query
