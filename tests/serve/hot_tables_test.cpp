#include "serve/hot_tables.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "lake/local_object_store.hpp"
#include "lake/partition_writer.hpp"
#include "query/sql_session.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::serve {
namespace {

using namespace std::chrono_literals;

class HotTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<lake::LocalObjectStore>(dir_.path() / "lake");
    duckdb_ = std::move(*lake::DuckDb::open({dir_.path() / "lake", 2, "1GB"}));
  }

  // One partition of `prices` holding `rows` rows, one per symbol S0, S1, …
  void write_day(const std::string& dt, size_t rows) {
    static const std::vector<lake::ColumnSpec> schema = {{"symbol", lake::ColumnType::varchar}, {"price", lake::ColumnType::float64}};
    auto written = lake::write_partitions(*store_, *duckdb_, "prices", schema, {{dt, 0, rows}},
                                          [](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
                                            for (size_t r = slice.begin; r < slice.end; ++r) {
                                              batch.add("S" + std::to_string(r));
                                              batch.add(static_cast<double>(r));
                                              batch.end_row();
                                            }
                                          }, 1);
    ASSERT_TRUE(written) << written.error().message;
  }

  // Asked of one kept session, as serve asks: the same text each time, so its prepared answer is
  // reused until the copies move.
  int64_t count() {
    if (!session_) session_ = std::move(*query::SqlSession::attach(*duckdb_, {"prices"}));
    auto result = session_->run("SELECT count(*) FROM prices");
    EXPECT_TRUE(result) << result.error().message;
    return result ? std::stoll(*result->rows.at(0).at(0)) : -1;
  }

  // Tables in memory, the views' and the one retired.
  int64_t copies() {
    auto connection = duckdb_->connect();
    auto result = connection->query("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'hot'");
    EXPECT_TRUE(result) << result.error().message;
    return result ? result->int64(0, 0) : -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<lake::LocalObjectStore> store_;
  std::unique_ptr<lake::DuckDb> duckdb_;
  std::unique_ptr<query::SqlSession> session_;
};

TEST_F(HotTablesTest, ATableThatFitsIsAnsweredFromMemoryUntilItsContentChanges) {
  write_day("2024-01-01", 3);
  ASSERT_TRUE(query::SqlSession::open(*store_, *duckdb_));  // the views
  auto hot = HotTables::start(*store_, *duckdb_, {"prices"}, {1 << 20, 0ms});
  ASSERT_TRUE(hot) << hot.error().message;
  EXPECT_EQ((*hot)->held(), std::vector<std::string>{"prices"});
  EXPECT_EQ(count(), 3);
  write_day("2024-01-02", 2);
  EXPECT_EQ(count(), 3);  // the copy: no file is read
  ASSERT_TRUE((*hot)->refresh());
  EXPECT_EQ(count(), 5);
  EXPECT_EQ(copies(), 2);  // the one the view left stays until the next move (a kept plan may still read it)
  write_day("2024-01-02", 4);  // a partition replaced, not added
  ASSERT_TRUE((*hot)->refresh());
  EXPECT_EQ(count(), 7);
  EXPECT_EQ(copies(), 2);
}

TEST_F(HotTablesTest, ATableBeyondTheBudgetIsReadFromItsFilesAndOneThatOutgrowsItIsLetGo) {
  write_day("2024-01-01", 3);
  ASSERT_TRUE(query::SqlSession::open(*store_, *duckdb_));
  const uint64_t one_day = *store_->size(store_->list("curated/prices/")->front());
  auto hot = HotTables::start(*store_, *duckdb_, {"prices"}, {one_day + one_day / 2, 0ms});
  ASSERT_TRUE(hot) << hot.error().message;
  EXPECT_EQ((*hot)->held(), std::vector<std::string>{"prices"});
  write_day("2024-01-02", 2);
  ASSERT_TRUE((*hot)->refresh());
  EXPECT_TRUE((*hot)->held().empty());
  EXPECT_EQ(count(), 5);
  write_day("2024-01-03", 1);
  EXPECT_EQ(count(), 6);  // straight from the files
}

TEST_F(HotTablesTest, TheBackgroundPassPicksUpANewPartition) {
  write_day("2024-01-01", 3);
  ASSERT_TRUE(query::SqlSession::open(*store_, *duckdb_));
  auto hot = HotTables::start(*store_, *duckdb_, {"prices"}, {1 << 20, 20ms});
  ASSERT_TRUE(hot) << hot.error().message;
  write_day("2024-01-02", 2);
  // Polls the outcome, bounded; the pass runs every 20 ms.
  for (int i = 0; i < 500 && count() != 5; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(count(), 5);
}

}  // namespace
}  // namespace cryptolake::serve
