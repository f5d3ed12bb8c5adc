#include "lake/curated_writer.hpp"

#include <gtest/gtest.h>

#include "core/market.hpp"
#include "lake/local_object_store.hpp"
#include "lake/partition_commit.hpp"
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

}  // namespace
}  // namespace cryptolake::lake
