// The lake's table registry, like a Glue crawler: each curated table's columns (from the
// Parquet files), its partitions with row counts, sizes and the min/max of its time column, and
// its schema versions. A new nullable column starts a new version (older partitions read it as
// NULL); a column whose type changes is an incompatibility, reported, never merged.
#pragma once

#include <string>
#include <vector>

#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::catalog {

struct Column {
  std::string name;
  std::string type;  // DuckDB's type name: VARCHAR, DOUBLE, BIGINT, TIMESTAMP WITH TIME ZONE, VARCHAR[]
  bool operator==(const Column&) const = default;
};

struct Partition {
  std::string dt;
  size_t files = 0;
  int64_t rows = 0;
  int64_t bytes = 0;
  std::string time_min, time_max;  // of the table's time column, when it has one
  int schema_version = 1;
};

struct SchemaVersion {
  int version = 1;
  std::vector<Column> columns;
  std::string first_dt;  // the first partition written with it
};

struct TableInfo {
  std::string name;
  std::string time_column;  // open_time, ts, created_at, gap_start … or empty
  std::vector<SchemaVersion> versions;  // the last is current
  std::vector<Partition> partitions;
  std::vector<std::string> problems;  // incompatible schema changes
  const std::vector<Column>& columns() const { return versions.back().columns; }
  int64_t rows() const;
  int64_t bytes() const;
};

// Crawls curated/ and returns every table, sorted by name. Also stores the registry as
// _catalog/tables/<table>.json for other tools.
[[nodiscard]] core::Result<std::vector<TableInfo>> crawl(lake::ObjectStore& store, lake::DuckDb& duckdb);

}  // namespace cryptolake::catalog
