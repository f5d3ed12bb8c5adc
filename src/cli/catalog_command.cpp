// `cryptolake catalog list|show|ddl`: the crawled table registry and DDL for other engines.
#include <fmt/format.h>

#include "catalog/ddl_export.hpp"
#include "catalog/table_catalog.hpp"
#include "cli/commands.hpp"
#include "core/json_text.hpp"
#include "query/result_format.hpp"

namespace cryptolake::cli {

namespace {

core::Result<std::vector<catalog::TableInfo>> crawl_lake(Context& ctx) {
  TRY_ASSIGN(lake::DuckDb* duckdb, ctx.duckdb());
  return catalog::crawl(ctx.store(), *duckdb);
}

std::string human_bytes(int64_t bytes) {
  if (bytes >= 1'000'000'000) return fmt::format("{:.1f} GB", bytes / 1e9);
  if (bytes >= 1'000'000) return fmt::format("{:.1f} MB", bytes / 1e6);
  return fmt::format("{:.1f} kB", bytes / 1e3);
}

}  // namespace

void add_catalog_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("catalog", "Crawl the curated tables: schemas, partitions, DDL for other engines");
  command->require_subcommand(1);
  auto* list = command->add_subcommand("list", "Every table with its partitions, rows, size and schema version");
  list->footer("Example:\n  cryptolake catalog list");
  list->callback([&global, &exit_code] {
    auto context = Context::create(global);
    if (!context) { exit_code = report_error(context.error()); return; }
    auto tables = crawl_lake(**context);
    if (!tables) { exit_code = report_error(tables.error()); return; }
    query::ResultTable out;
    out.columns = {"table", "partitions", "rows", "size", "columns", "schema_version", "first_dt", "last_dt", "problems"};
    out.numeric = {false, true, true, true, true, true, false, false, true};
    for (const auto& t : *tables) {
      out.rows.push_back({t.name, std::to_string(t.partitions.size()), std::to_string(t.rows()), human_bytes(t.bytes()),
                          std::to_string(t.columns().size()), std::to_string(t.versions.back().version),
                          t.partitions.front().dt, t.partitions.back().dt, std::to_string(t.problems.size())});
    }
    fmt::print("{}", query::format_result(out, global.json ? query::OutputFormat::json : query::OutputFormat::table));
    exit_code = 0;
  });

  auto table_name = std::make_shared<std::string>();
  auto* show = command->add_subcommand("show", "One table: columns, schema versions, partitions");
  show->footer("Example:\n  cryptolake catalog show market_ohlcv");
  show->add_option("table", *table_name, "Table name")->required();
  show->callback([&global, &exit_code, table_name] {
    auto context = Context::create(global);
    if (!context) { exit_code = report_error(context.error()); return; }
    auto tables = crawl_lake(**context);
    if (!tables) { exit_code = report_error(tables.error()); return; }
    const auto it = std::ranges::find(*tables, *table_name, &catalog::TableInfo::name);
    if (it == tables->end()) {
      exit_code = report_error({core::ErrorCode::not_found, fmt::format("no table '{}' in the lake", *table_name)});
      return;
    }
    fmt::print("{}: {} partitions, {} rows, {}; time column {}\n\n", it->name, it->partitions.size(), it->rows(),
               human_bytes(it->bytes()), it->time_column.empty() ? "(none)" : it->time_column);
    query::ResultTable columns;
    columns.columns = {"column", "type", "since_version"};
    columns.numeric = {false, false, true};
    for (const auto& c : it->columns()) {
      int since = 1;
      for (const auto& v : it->versions) {
        if (std::ranges::find(v.columns, c.name, &catalog::Column::name) != v.columns.end()) {
          since = v.version;
          break;
        }
      }
      columns.rows.push_back({c.name, c.type, std::to_string(since)});
    }
    columns.rows.push_back({"dt", "VARCHAR (partition)", "1"});
    fmt::print("{}\n", query::format_table(columns, 200));
    query::ResultTable parts;
    parts.columns = {"dt", "files", "rows", "bytes", "min " + it->time_column, "max " + it->time_column, "schema_version"};
    parts.numeric = {false, true, true, true, false, false, true};
    for (const auto& p : it->partitions) {
      parts.rows.push_back({p.dt, std::to_string(p.files), std::to_string(p.rows), std::to_string(p.bytes), p.time_min,
                            p.time_max, std::to_string(p.schema_version)});
    }
    fmt::print("{}", query::format_table(parts, 60));
    for (const auto& problem : it->problems) fmt::print("problem: {}\n", problem);
    exit_code = 0;
  });

  auto engine = std::make_shared<std::string>();
  auto location = std::make_shared<std::string>();
  auto database = std::make_shared<std::string>("cryptolake");
  auto* ddl = command->add_subcommand("ddl", "CREATE statements for Athena, Spark, Trino or DuckDB over this lake");
  ddl->footer(
      "The location defaults to the lake's own folder; give where the engine sees it (s3://bucket/prefix).\n"
      "Examples:\n"
      "  cryptolake catalog ddl --engine athena --location s3://my-bucket/lake > athena.sql\n"
      "  cryptolake catalog ddl --engine trino --location s3://my-bucket/lake --database crypto\n"
      "  cryptolake catalog ddl --engine duckdb | duckdb");
  ddl->add_option("--engine", *engine, "athena, spark, trino or duckdb")->required()
      ->check(CLI::IsMember({"athena", "spark", "trino", "duckdb"}));
  ddl->add_option("--location", *location, "The lake's root as the engine sees it (default: this lake's folder)");
  ddl->add_option("--database", *database, "Database / schema name (default cryptolake)");
  ddl->callback([&global, &exit_code, engine, location, database] {
    auto context = Context::create(global);
    if (!context) { exit_code = report_error(context.error()); return; }
    auto tables = crawl_lake(**context);
    if (!tables) { exit_code = report_error(tables.error()); return; }
    const std::string root = location->empty() ? (*context)->store().location("") : *location;
    fmt::print("{}", catalog::ddl(*catalog::parse_engine(*engine), *tables, root, *database));
    exit_code = 0;
  });
}

}  // namespace cryptolake::cli
