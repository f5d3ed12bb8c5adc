#include <gtest/gtest.h>

#include "catalog/ddl_export.hpp"
#include "catalog/table_catalog.hpp"
#include "core/timestamp.hpp"
#include "lake/curated_writer.hpp"
#include "lake/layout.hpp"
#include "lake/local_object_store.hpp"
#include "query/sql_session.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::catalog {
namespace {

using lake::ColumnType;

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<lake::LocalObjectStore>(dir_.path());
    duckdb_ = std::move(*lake::DuckDb::open({dir_.path(), 1, "1GB"}));
  }
  // Writes `rows` rows of partition dt; with_extra adds a nullable column; as_text stores `a` as text.
  void write(const char* table, const char* dt, int rows, bool with_extra, bool as_text = false) {
    std::vector<lake::ColumnSpec> schema = {{"a", as_text ? ColumnType::varchar : ColumnType::bigint},
                                            {"ts", ColumnType::timestamp_tz}};
    if (with_extra) schema.push_back({"c", ColumnType::varchar});
    lake::ColumnBatch batch(schema);
    for (int i = 0; i < rows; ++i) {
      if (as_text) batch.add(std::to_string(i));
      else batch.add(int64_t{i});
      batch.add(core::Timestamp::parse_date(dt)->micros() + i * int64_t{60'000'000});
      if (with_extra) batch.add("x");
      batch.end_row();
    }
    auto connection = duckdb_->connect();
    lake::CuratedWriter writer(*connection, *store_);
    ASSERT_TRUE(writer.write(table, dt, batch));
  }
  testing::TempDir dir_;
  std::unique_ptr<lake::LocalObjectStore> store_;
  std::unique_ptr<lake::DuckDb> duckdb_;
};

// A second crawl reads only the partitions whose content changed; the others come from what the
// first one learned (shown here by editing that record: an unchanged partition is not read again).
TEST_F(CatalogTest, ARecrawlReadsOnlyChangedPartitions) {
  write("prices", "2024-01-01", 10, false);
  write("prices", "2024-01-02", 5, false);
  auto first = crawl(*store_, *duckdb_);
  ASSERT_TRUE(first);
  const std::string registry = *store_->get(lake::layout::table_registry_key("prices"));
  auto again = crawl(*store_, *duckdb_);
  ASSERT_TRUE(again);
  EXPECT_EQ(*store_->get(lake::layout::table_registry_key("prices")), registry);

  std::string cache = *store_->get(lake::layout::crawl_cache_key("prices"));
  const std::string day1 = "2024-01-01\x1f", rows10 = "\x1f" "10" "\x1f";
  const size_t line = cache.find(day1);
  ASSERT_NE(line, std::string::npos) << cache;
  cache.replace(cache.find(rows10, line), rows10.size(), "\x1f" "11" "\x1f");
  ASSERT_TRUE(store_->put(lake::layout::crawl_cache_key("prices"), cache));
  write("prices", "2024-01-02", 7, false);  // changed: read again
  auto third = crawl(*store_, *duckdb_);
  ASSERT_TRUE(third);
  ASSERT_EQ((*third)[0].partitions.size(), 2u);
  EXPECT_EQ((*third)[0].partitions[0].rows, 11);  // unchanged: as recorded
  EXPECT_EQ((*third)[0].partitions[1].rows, 7);
  EXPECT_EQ((*third)[0].partitions[1].time_max, "2024-01-02 00:06:00+00");
}

TEST_F(CatalogTest, CrawlsPartitionsAndTracksANewNullableColumnAsAVersion) {
  write("prices", "2024-01-01", 10, false);
  write("prices", "2024-01-02", 5, true);
  auto tables = crawl(*store_, *duckdb_);
  ASSERT_TRUE(tables) << tables.error().message;
  ASSERT_EQ(tables->size(), 1u);
  const TableInfo& t = (*tables)[0];
  EXPECT_EQ(t.time_column, "ts");
  ASSERT_EQ(t.versions.size(), 2u);
  EXPECT_EQ(t.versions[1].first_dt, "2024-01-02");
  EXPECT_TRUE(t.problems.empty());
  ASSERT_EQ(t.partitions.size(), 2u);
  EXPECT_EQ(t.partitions[0].rows, 10);
  EXPECT_EQ(t.partitions[1].schema_version, 2);
  EXPECT_EQ(t.partitions[0].time_min, "2024-01-01 00:00:00+00");
  EXPECT_EQ(t.partitions[0].time_max, "2024-01-01 00:09:00+00");
  EXPECT_GT(t.bytes(), 0);
  EXPECT_TRUE(store_->get("_catalog/tables/prices.json"));
  // Older partitions read the new column as NULL.
  auto session = query::SqlSession::open(*store_, *duckdb_);
  ASSERT_TRUE(session);
  auto result = (*session)->run("SELECT dt, count(*), count(c) FROM prices GROUP BY dt ORDER BY dt");
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->rows[0][2], "0");
  EXPECT_EQ(result->rows[1][2], "5");
}

TEST_F(CatalogTest, ATypeChangeIsAProblemNotAVersion) {
  write("prices", "2024-01-01", 3, false);
  write("prices", "2024-01-02", 3, false, /*as_text=*/true);
  auto tables = crawl(*store_, *duckdb_);
  ASSERT_TRUE(tables);
  const TableInfo& t = (*tables)[0];
  EXPECT_EQ(t.versions.size(), 1u);
  ASSERT_EQ(t.problems.size(), 1u);
  EXPECT_EQ(t.problems[0], "dt=2024-01-02: column a changed type BIGINT → VARCHAR");
}

TEST_F(CatalogTest, DuckDbDdlRunsAndCountsWhatSqlCounts) {
  write("prices", "2024-01-01", 10, false);
  write("prices", "2024-01-02", 7, false);
  write("volumes", "2024-01-01", 4, false);
  auto tables = crawl(*store_, *duckdb_);
  ASSERT_TRUE(tables);
  auto fresh = std::move(*lake::DuckDb::open({dir_.path(), 1, "1GB"}));
  auto connection = std::move(*fresh->connect());
  const std::string text = ddl(Engine::duckdb, *tables, dir_.path().string());
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = text.find('\n', pos);
    ASSERT_TRUE(connection.execute(text.substr(pos, end - pos))) << text;
    pos = end + 1;
  }
  auto counted = connection.query("SELECT (SELECT count(*) FROM prices), (SELECT count(*) FROM volumes), "
                                  "(SELECT count(DISTINCT dt) FROM prices)");
  ASSERT_TRUE(counted);
  auto session = query::SqlSession::open(*store_, *duckdb_);
  auto via_sql = (*session)->run("SELECT (SELECT count(*) FROM prices), (SELECT count(*) FROM volumes)");
  ASSERT_TRUE(via_sql);
  EXPECT_EQ(counted->int64(0, 0), 17);
  EXPECT_EQ(std::to_string(counted->int64(0, 0)), via_sql->rows[0][0]);
  EXPECT_EQ(std::to_string(counted->int64(1, 0)), via_sql->rows[0][1]);
  EXPECT_EQ(counted->int64(2, 0), 2);
}

TEST_F(CatalogTest, HiveStyleDdlNamesPartitionColumnTypesAndLocations) {
  write("prices", "2024-01-03", 2, true);
  auto tables = crawl(*store_, *duckdb_);
  ASSERT_TRUE(tables);
  const std::string athena = ddl(Engine::athena, *tables, "s3://bucket/lake");
  EXPECT_NE(athena.find("CREATE EXTERNAL TABLE IF NOT EXISTS cryptolake.prices (\n  `a` bigint,\n  `ts` timestamp,\n  `c` string\n)"),
            std::string::npos) << athena;
  EXPECT_NE(athena.find("PARTITIONED BY (`dt` string)\nSTORED AS PARQUET\nLOCATION 's3://bucket/lake/curated/prices/'"), std::string::npos);
  EXPECT_NE(athena.find("'projection.dt.range'='2024-01-03,NOW'"), std::string::npos);
  EXPECT_NE(athena.find("'storage.location.template'='s3://bucket/lake/curated/prices/dt=${dt}/'"), std::string::npos);
  EXPECT_EQ(athena.find("`dt` string,"), std::string::npos) << "dt must not be a data column in Athena";
  const std::string spark = ddl(Engine::spark, *tables, "s3://bucket/lake");
  EXPECT_NE(spark.find("`dt` string\n)\nUSING parquet\nPARTITIONED BY (dt)\nLOCATION 's3a://bucket/lake/curated/prices/';\nMSCK REPAIR TABLE cryptolake.prices;"),
            std::string::npos) << spark;
  const std::string trino = ddl(Engine::trino, *tables, "s3://bucket/lake", "crypto");
  EXPECT_NE(trino.find("\"ts\" timestamp(3),\n  \"c\" varchar,\n  \"dt\" varchar\n)"), std::string::npos) << trino;
  EXPECT_NE(trino.find("external_location = 's3://bucket/lake/curated/prices/'"), std::string::npos);
  EXPECT_NE(trino.find("partitioned_by = ARRAY['dt']"), std::string::npos);
  EXPECT_NE(trino.find("CALL hive.system.sync_partition_metadata('crypto', 'prices', 'ADD');"), std::string::npos);
  EXPECT_EQ(engine_type(Engine::athena, "VARCHAR[]"), "array<string>");
  EXPECT_EQ(engine_type(Engine::trino, "VARCHAR[]"), "array(varchar)");
}

TEST_F(CatalogTest, ReadOnlySqlRefusesWritesAndFilesOutsideTheLake) {
  write("prices", "2024-01-01", 2, false);
  auto session = query::SqlSession::open(*store_, *duckdb_);
  ASSERT_TRUE(session);
  for (const char* attack : {"CREATE TABLE x AS SELECT 1", "COPY prices TO '/tmp/out.csv'", "ATTACH '/tmp/x.db'",
                             "INSTALL httpfs", "LOAD httpfs", "SET enable_external_access = true",
                             "SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_text('/etc/hostname')",
                             "SELECT 1; DROP VIEW prices"}) {
    EXPECT_FALSE((*session)->run(attack)) << attack;
  }
  EXPECT_TRUE((*session)->run("SELECT count(*) FROM prices"));
}

}  // namespace
}  // namespace cryptolake::catalog
