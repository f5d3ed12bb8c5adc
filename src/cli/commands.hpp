// Each subcommand registers itself on the app; its callback leaves the process exit code.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.hpp"

namespace cryptolake::cli {

void add_demo_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_simulate_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_etl_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_sql_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_ingest_command(CLI::App& app, GlobalOptions& global, int& exit_code);
// ingest coingecko | coincap | rates, added under the `ingest` subcommand.
void add_service_ingest_commands(CLI::App& ingest, GlobalOptions& global, int& exit_code);
void add_import_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_gaps_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_catalog_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_quality_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_analyze_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_serve_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_bench_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_stream_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_schedule_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_backfill_command(CLI::App& app, GlobalOptions& global, int& exit_code);
void add_runs_command(CLI::App& app, GlobalOptions& global, int& exit_code);

}  // namespace cryptolake::cli
