#include "lake/curated_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/market.hpp"
#include "lake/batch_scan.hpp"
#include "lake/local_object_store.hpp"
#include "lake/partition_commit.hpp"
#include "lake/partition_writer.hpp"
#include "support/prefixed_store.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::lake {
namespace {

namespace fs = std::filesystem;

// Wraps a store and fails every publish: a crash at the worst moment, without killing the test.
class FailingPublishStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  core::Status publish(std::string_view, std::string_view prefix) override {
    return core::fail(core::ErrorCode::io_error, "injected failure publishing {}", prefix);
  }
};

ColumnBatch sample_batch(int rows) {
  ColumnBatch batch({{"symbol", ColumnType::varchar},
                     {"ts", ColumnType::timestamp_tz},
                     {"price", ColumnType::float64},
                     {"n", ColumnType::bigint},
                     {"tags", ColumnType::varchar_list}});
  for (int i = 0; i < rows; ++i) {
    batch.add(i % 2 ? "ETH-USDT" : "BTC-USDT");
    batch.add(static_cast<int64_t>(1'704'067'200'000'000 + i * int64_t{60'000'000}));
    if (i == 1) batch.add_null();
    else batch.add(100.0 + i * 0.25);
    batch.add(int64_t{i});
    batch.add(i == 0 ? std::string() : std::string("a") + core::kListSeparator + "b");
    batch.end_row();
  }
  return batch;
}

class CuratedWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<LocalObjectStore>(dir_.path());
    duckdb_ = std::move(*DuckDb::open({dir_.path(), 2, "1GB"}));
    connection_.emplace(std::move(*duckdb_->connect()));
  }
  testing::TempDir dir_;
  std::unique_ptr<LocalObjectStore> store_;
  std::unique_ptr<DuckDb> duckdb_;
  std::optional<DuckConnection> connection_;
};

TEST_F(CuratedWriterTest, WritesOneZstdParquetFilePerPartitionWithTypesNullsAndLists) {
  CuratedWriter writer(*connection_, *store_);
  auto written = writer.write("prices", "2024-01-01", sample_batch(5000));
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(written->rows, 5000u);
  EXPECT_EQ(*store_->list("curated/prices/"), std::vector<std::string>{"curated/prices/dt=2024-01-01/part-0.parquet"});
  const std::string file = (dir_.path() / "curated/prices/dt=2024-01-01/part-0.parquet").string();
  auto check = connection_->query(
      "SELECT count(*), count(price), sum(n), min(ts)::VARCHAR, max(len(tags)), min(len(tags)), "
      "  (SELECT compression FROM parquet_metadata(" + sql_string(file) + ") WHERE path_in_schema = 'price' LIMIT 1), "
      "  (SELECT type FROM parquet_schema(" + sql_string(file) + ") WHERE name = 'ts') "
      "FROM read_parquet(" + sql_string(file) + ")");
  ASSERT_TRUE(check) << check.error().message;
  EXPECT_EQ(check->int64(0, 0), 5000);
  EXPECT_EQ(check->int64(1, 0), 4999);
  EXPECT_EQ(check->int64(2, 0), 4999LL * 5000 / 2);
  EXPECT_EQ(check->text(3, 0), "2024-01-01 00:00:00+00");
  EXPECT_EQ(check->int64(4, 0), 2);
  EXPECT_EQ(check->int64(5, 0), 0);
  EXPECT_EQ(check->text(6, 0), "ZSTD");
  EXPECT_EQ(check->text(7, 0), "INT64");
}

TEST_F(CuratedWriterTest, SameRowsGiveTheSameBytes) {
  CuratedWriter writer(*connection_, *store_);
  ASSERT_TRUE(writer.write("prices", "2024-01-01", sample_batch(3000)));
  const std::string first = *store_->get("curated/prices/dt=2024-01-01/part-0.parquet");
  ASSERT_TRUE(writer.write("prices", "2024-01-01", sample_batch(3000)));
  EXPECT_EQ(*store_->get("curated/prices/dt=2024-01-01/part-0.parquet"), first);
}

TEST_F(CuratedWriterTest, FailedPublishLeavesThePreviousPartitionAndNoStagingVisible) {
  CuratedWriter good(*connection_, *store_);
  ASSERT_TRUE(good.write("prices", "2024-01-01", sample_batch(10)));
  const std::string before = *store_->get("curated/prices/dt=2024-01-01/part-0.parquet");
  FailingPublishStore failing(*store_);
  CuratedWriter bad(*connection_, failing);
  auto result = bad.write("prices", "2024-01-01", sample_batch(20));
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("injected failure"), std::string::npos);
  EXPECT_FALSE(bad.write("prices", "2024-01-02", sample_batch(20)));
  EXPECT_EQ(*store_->list("curated/"), std::vector<std::string>{"curated/prices/dt=2024-01-01/part-0.parquet"});
  EXPECT_EQ(*store_->get("curated/prices/dt=2024-01-01/part-0.parquet"), before);
  // The abandoned commit cleaned its staging area up.
  const fs::path staging = dir_.path() / "curated/prices/_staging";
  EXPECT_TRUE(!fs::exists(staging) || fs::is_empty(staging));
}

TEST_F(CuratedWriterTest, DuckDbStaysInsideTheLake) {
  auto home = connection_->query("SELECT current_setting('home_directory'), current_setting('extension_directory'), "
                                 "current_setting('autoinstall_known_extensions')");
  ASSERT_TRUE(home) << home.error().message;
  EXPECT_EQ(home->text(0, 0), (dir_.path() / "_catalog/duckdb").string());
  EXPECT_EQ(home->text(1, 0), (dir_.path() / "_catalog/duckdb/extensions").string());
  EXPECT_EQ(home->text(2, 0), "false");
}

// Batches go to Parquet through a second instance with no worker threads of its own (the writers'
// threads are the parallelism), one per instance, in the lake, and the files are the bytes the
// main instance writes of the same rows.
TEST_F(CuratedWriterTest, BatchesAreWrittenByAnInstanceWithoutWorkersOfItsOwnToTheSameBytes) {
  auto batch_db = duckdb_->batch_writer();
  ASSERT_TRUE(batch_db) << batch_db.error().message;
  EXPECT_EQ(*duckdb_->batch_writer(), *batch_db);
  auto settings = (*batch_db)->connect()->query(
      "SELECT current_setting('threads'), current_setting('temp_directory'), current_setting('enable_external_file_cache')::VARCHAR");
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ(settings->int64(0, 0), 1);
  EXPECT_EQ(settings->text(1, 0), (dir_.path() / "_catalog/duckdb/tmp-batch-writer").string());
  EXPECT_EQ(settings->text(2, 0), "false");  // it reads each local file once: no cache of their bytes
  // The main instance keeps its workers and its cache.
  EXPECT_EQ(connection_->query("SELECT current_setting('threads')")->int64(0, 0), 2);
  EXPECT_EQ(connection_->query("SELECT current_setting('enable_external_file_cache')::VARCHAR")->text(0, 0), "true");

  ASSERT_TRUE(CuratedWriter(*connection_, *store_).write("prices", "2024-01-01", sample_batch(3000)));
  const ColumnBatch rows = sample_batch(3000);
  auto written = write_partitions(*store_, *duckdb_, "prices_again", rows.schema(), {{"2024-01-01", 0, 3000}},
                                  [&](const PartitionSlice&, ColumnBatch& batch) { batch = rows; }, 2);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(*written, 1u);
  EXPECT_EQ(*store_->get("curated/prices_again/dt=2024-01-01/part-0.parquet"), *store_->get("curated/prices/dt=2024-01-01/part-0.parquet"));
}

// Queries of files alone run on the batch writer instance (one thread); a query of the main
// instance's own tables runs there. Each partition records the threads of the instance it ran on.
TEST_F(CuratedWriterTest, QueryPartitionsRunOnTheInstanceTheirReadsNeed) {
  ASSERT_TRUE(CuratedWriter(*connection_, *store_).write("prices", "2024-01-01", sample_batch(10)));
  ASSERT_TRUE(connection_->execute("CREATE TABLE only_here AS SELECT 42 AS answer"));
  const std::string file = sql_string(table_glob(*store_, "prices", "2024-01-01"));
  const std::vector<QueryPartition> of_files = {{"2024-01-01", "SELECT count(*) AS n, current_setting('threads') AS threads FROM read_parquet(" + file + ")", {}}};
  const std::vector<QueryPartition> of_table = {{"2024-01-01", "SELECT answer, current_setting('threads') AS threads FROM only_here", {}}};
  ASSERT_TRUE(write_query_partitions(*store_, *duckdb_, "from_files", of_files, QueryReads::files, 2));
  ASSERT_TRUE(write_query_partitions(*store_, *duckdb_, "from_table", of_table, QueryReads::instance_tables, 2));
  const auto read = [&](std::string_view table) {
    return connection_->query("SELECT * FROM read_parquet(" + sql_string(table_glob(*store_, table)) + ")");
  };
  auto files = read("from_files"), table = read("from_table");
  ASSERT_TRUE(files && table);
  EXPECT_EQ(files->int64(0, 0), 10);
  EXPECT_EQ(files->int64(1, 0), 1);
  EXPECT_EQ(table->int64(0, 0), 42);
  EXPECT_EQ(table->int64(1, 0), 2);
  // The batch writer instance cannot see the main one's tables.
  EXPECT_FALSE(write_query_partitions(*store_, *duckdb_, "from_table", of_table, QueryReads::files, 2));
}

// The rows reach DuckDB in place (lake/batch_scan): every cell as it was put in, across chunks of
// 2,048 rows, lists split at the separator (empty parts kept, an empty cell an empty list),
// booleans from any non-zero integer, nulls in every type.
TEST_F(CuratedWriterTest, TheBatchIsReadCellForCellAcrossChunks) {
  ColumnBatch batch({{"s", ColumnType::varchar},
                     {"i", ColumnType::bigint},
                     {"d", ColumnType::float64},
                     {"ts", ColumnType::timestamp_tz},
                     {"l", ColumnType::varchar_list},
                     {"b", ColumnType::boolean}});
  const std::string sep(1, core::kListSeparator);
  const std::vector<std::string> lists = {"", "a", "a" + sep + sep + "b", sep, "long text beyond twelve bytes" + sep + "x"};
  constexpr int kRows = 5000;
  for (int r = 0; r < kRows; ++r) {
    if (r % 97 == 3) batch.add_null();
    else batch.add("row " + std::to_string(r) + (r % 2 ? " with a string longer than the inline twelve" : ""));
    batch.add(int64_t{r} * 1'000'003 - 7);
    batch.add(r * 0.5 - 3);
    batch.add(int64_t{1'704'067'200'000'000} + r);
    if (r % 101 == 5) batch.add_null();
    else batch.add(lists[r % lists.size()]);
    if (r % 103 == 7) batch.add_null();
    else batch.add(int64_t{r % 3 == 0 ? 0 : r % 3 == 1 ? 1 : 7});
    batch.end_row();
  }
  const BatchLoan loan(batch);
  auto rows = connection_->query("SELECT s, i, d, epoch_us(ts), array_to_string(l, '|'), len(l), b::INTEGER FROM " + loan.table_sql());
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->row_count(), size_t{kRows});
  for (size_t r = 0; r < kRows; ++r) {
    const int n = static_cast<int>(r);
    if (n % 97 == 3) EXPECT_TRUE(rows->is_null(0, r)) << r;
    else EXPECT_EQ(rows->text(0, r), "row " + std::to_string(n) + (n % 2 ? " with a string longer than the inline twelve" : "")) << r;
    EXPECT_EQ(rows->int64(1, r), int64_t{n} * 1'000'003 - 7) << r;
    EXPECT_EQ(rows->float64(2, r), n * 0.5 - 3) << r;
    EXPECT_EQ(rows->int64(3, r), int64_t{1'704'067'200'000'000} + n) << r;
    if (n % 101 == 5) {
      EXPECT_TRUE(rows->is_null(4, r)) << r;
    } else {
      std::string want = lists[r % lists.size()];
      std::ranges::replace(want, core::kListSeparator, '|');
      EXPECT_EQ(rows->text(4, r), want) << r;
      const std::string& cell = lists[r % lists.size()];
      EXPECT_EQ(rows->int64(5, r), cell.empty() ? 0 : std::ranges::count(cell, core::kListSeparator) + 1) << r;
    }
    if (n % 103 == 7) EXPECT_TRUE(rows->is_null(6, r)) << r;
    else EXPECT_EQ(rows->int64(6, r), n % 3 == 0 ? 0 : 1) << r;
  }
}

TEST_F(CuratedWriterTest, OnlyABatchOnLoanCanBeRead) {
  std::string ended;
  {
    const ColumnBatch batch = sample_batch(3);
    const BatchLoan loan(batch);
    ended = loan.table_sql();
    ASSERT_TRUE(connection_->query("SELECT count(*) FROM " + ended));
  }
  for (const std::string& from : {ended, std::string("cryptolake_batch(12345)")}) {
    auto refused = connection_->query("SELECT count(*) FROM " + from);
    ASSERT_FALSE(refused) << from;
    EXPECT_NE(refused.error().message.find("no batch is lent under this token"), std::string::npos) << refused.error().message;
  }
}

}  // namespace
}  // namespace cryptolake::lake
