// cryptolake: one binary that collects crypto market and social data into a clean data lake,
// transforms it, and answers SQL over it. main only wires the subcommands.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace cryptolake::cli;
  CLI::App app{"cryptolake — crypto market and social data lake in one binary"};
  app.require_subcommand(1);
  app.fallthrough();
  app.footer("Run 'cryptolake <command> --help' for a command's options and examples.");
  GlobalOptions global;
  app.add_option("--lake", global.lake, "Lake directory (default ./lake, or lake.path in the config)");
  app.add_option("--config", global.config, "Configuration file (default ./cryptolake.toml when present)")
      ->check(CLI::ExistingFile);
  app.add_option("--threads", global.threads, "Worker threads (default duckdb.threads = 2)")->check(CLI::Range(1, 256));
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error or off");
  app.add_flag("--json", global.json, "Machine-readable output");
  app.add_flag("--no-wait", global.no_wait, "A command that writes the lake exits 1 at once when another writer holds it");
  int exit_code = 1;
  add_demo_command(app, global, exit_code);
  add_simulate_command(app, global, exit_code);
  add_ingest_command(app, global, exit_code);
  add_import_command(app, global, exit_code);
  add_etl_command(app, global, exit_code);
  add_sql_command(app, global, exit_code);
  add_gaps_command(app, global, exit_code);
  add_catalog_command(app, global, exit_code);
  add_quality_command(app, global, exit_code);
  add_analyze_command(app, global, exit_code);
  add_serve_command(app, global, exit_code);
  add_stream_command(app, global, exit_code);
  add_schedule_command(app, global, exit_code);
  add_backfill_command(app, global, exit_code);
  add_runs_command(app, global, exit_code);
  add_bench_command(app, global, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // Only broken invariants throw; everything expected is a Result.
    fmt::print(stderr, "internal error: {}\n", e.what());
    return 2;
  }
  return exit_code;
}
