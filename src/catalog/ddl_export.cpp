#include "catalog/ddl_export.hpp"
#include "lake/layout.hpp"

#include <fmt/format.h>

namespace cryptolake::catalog {

core::Result<Engine> parse_engine(std::string_view name) {
  if (name == "athena") return Engine::athena;
  if (name == "spark") return Engine::spark;
  if (name == "trino") return Engine::trino;
  if (name == "duckdb") return Engine::duckdb;
  return core::fail(core::ErrorCode::invalid_argument, "engine '{}' is not athena, spark, trino or duckdb", name);
}

std::string engine_type(Engine engine, std::string_view t) {
  const bool hive = engine == Engine::athena || engine == Engine::spark;
  if (t.ends_with("[]")) {
    const std::string element = engine_type(engine, t.substr(0, t.size() - 2));
    return hive ? fmt::format("array<{}>", element) : fmt::format("array({})", element);
  }
  if (t == "VARCHAR") return hive ? "string" : "varchar";
  if (t == "DOUBLE") return "double";
  if (t == "BIGINT") return "bigint";
  if (t == "INTEGER") return "int";
  if (t == "BOOLEAN") return "boolean";
  if (t == "DATE") return "date";
  // Parquet instants (isAdjustedToUTC): Hive-style engines read them as timestamps in UTC.
  if (t.starts_with("TIMESTAMP")) return engine == Engine::trino ? "timestamp(3)" : "timestamp";
  return hive ? "string" : "varchar";
}

namespace {

std::string table_location(std::string_view root, std::string_view table, bool spark) {
  std::string base(root);
  while (base.ends_with('/')) base.pop_back();
  if (spark && base.starts_with("s3://")) base = "s3a://" + base.substr(5);  // Spark's S3 connector
  return fmt::format("{}/{}", base, lake::layout::table_prefix(table));
}

std::string column_list(Engine engine, const TableInfo& t, bool with_dt) {
  std::string out;
  const char quote = engine == Engine::trino ? '"' : '`';
  for (const Column& c : t.columns()) {
    if (c.name == "dt") continue;
    out += fmt::format("{}  {}{}{} {}", out.empty() ? "" : ",\n", quote, c.name, quote, engine_type(engine, c.type));
  }
  if (with_dt) out += fmt::format(",\n  {}dt{} {}", quote, quote, engine == Engine::trino ? "varchar" : "string");
  return out;
}

}  // namespace

std::string ddl(Engine engine, const std::vector<TableInfo>& tables, std::string_view location, std::string_view database) {
  std::string out;
  switch (engine) {
    case Engine::athena: out += fmt::format("CREATE DATABASE IF NOT EXISTS {};\n\n", database); break;
    case Engine::spark: out += fmt::format("CREATE DATABASE IF NOT EXISTS {};\n\n", database); break;
    case Engine::trino: out += fmt::format("CREATE SCHEMA IF NOT EXISTS hive.{};\n\n", database); break;
    case Engine::duckdb: break;
  }
  for (const TableInfo& t : tables) {
    const std::string where = table_location(location, t.name, engine == Engine::spark);
    // Daily-or-coarser series are cut by month: dt is the month's first day.
    const bool monthly = t.name == "coin_stats" || t.name == "agg_market_monthly";
    if (monthly) out += fmt::format("-- {}: one partition per month, dt = the first day of the month\n", t.name);
    const std::string first_day = t.partitions.empty() ? "2017-01-01" : t.partitions.front().dt;
    switch (engine) {
      case Engine::athena:
        out += fmt::format(
            "CREATE EXTERNAL TABLE IF NOT EXISTS {}.{} (\n{}\n)\nPARTITIONED BY (`dt` string)\nSTORED AS PARQUET\n"
            "LOCATION '{}'\nTBLPROPERTIES (\n  'parquet.compression'='ZSTD',\n  'projection.enabled'='true',\n"
            "  'projection.dt.type'='date',\n  'projection.dt.format'='yyyy-MM-dd',\n  'projection.dt.range'='{},NOW',\n"
            "  'projection.dt.interval'='1',\n  'projection.dt.interval.unit'='{}',\n"
            "  'storage.location.template'='{}dt=${{dt}}/'\n);\n"
            "-- without partition projection: MSCK REPAIR TABLE {}.{};\n\n",
            database, t.name, column_list(engine, t, false), where, first_day, monthly ? "MONTHS" : "DAYS", where, database, t.name);
        break;
      case Engine::spark:
        out += fmt::format("CREATE TABLE IF NOT EXISTS {}.{} (\n{}\n)\nUSING parquet\nPARTITIONED BY (dt)\nLOCATION '{}';\n"
                           "MSCK REPAIR TABLE {}.{};\n\n",
                           database, t.name, column_list(engine, t, true), where, database, t.name);
        break;
      case Engine::trino:
        out += fmt::format("CREATE TABLE IF NOT EXISTS hive.{}.{} (\n{}\n)\nWITH (\n  external_location = '{}',\n"
                           "  format = 'PARQUET',\n  partitioned_by = ARRAY['dt']\n);\n"
                           "CALL hive.system.sync_partition_metadata('{}', '{}', 'ADD');\n\n",
                           database, t.name, column_list(engine, t, true), where, database, t.name);
        break;
      case Engine::duckdb:
        out += fmt::format("CREATE OR REPLACE VIEW {} AS SELECT * FROM {};\n", t.name, duckdb_source(location, t.name));
        break;
    }
  }
  return out;
}

std::string duckdb_source(std::string_view location, std::string_view table) {
  return fmt::format("read_parquet('{}dt=*/*.parquet', hive_partitioning = true, hive_types = {{'dt': VARCHAR}}, union_by_name = true)",
                     table_location(location, table, false));
}

}  // namespace cryptolake::catalog
