// Ready-to-run DDL so other engines read the lake as it is: Athena (external table with
// partition projection), Spark (USING parquet + MSCK REPAIR), Trino (Hive connector +
// sync_partition_metadata) and DuckDB (views). `dt` is a string partition column taken from the
// path; timestamps are UTC-adjusted Parquet instants.
#pragma once

#include <string>
#include <vector>

#include "catalog/table_catalog.hpp"

namespace cryptolake::catalog {

enum class Engine { athena, spark, trino, duckdb };

[[nodiscard]] core::Result<Engine> parse_engine(std::string_view name);

// `location`: the lake's root as the engine sees it ("s3://bucket/lake", "/data/lake").
std::string ddl(Engine engine, const std::vector<TableInfo>& tables, std::string_view location,
                std::string_view database = "cryptolake");

// DuckDB's read of one table's Parquet files (what the DuckDB DDL's view selects from).
std::string duckdb_source(std::string_view location, std::string_view table);

// An engine's spelling of a DuckDB column type.
std::string engine_type(Engine engine, std::string_view duckdb_type);

}  // namespace cryptolake::catalog
