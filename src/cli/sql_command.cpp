#include <unistd.h>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "query/result_format.hpp"

namespace cryptolake::cli {

void add_sql_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("sql", "Run SQL over the curated tables (each table is a view by its name)");
  command->footer(
      "Tables: every curated table by name (see `cryptolake catalog list`); dt is a column.\n"
      "Read-only: one SELECT (or EXPLAIN of a SELECT); files are readable only inside the lake; answers\n"
      "stop at sql.max_answer_bytes (default 16 MiB) and say so on stderr.\n"
      "Examples:\n"
      "  cryptolake sql \"SELECT symbol, count(*) FROM market_ohlcv GROUP BY ALL\"\n"
      "  cryptolake sql --format csv \"SELECT * FROM agg_market_daily WHERE symbol = 'BTC-USDT'\"\n"
      "  cryptolake sql --write \"CREATE MACRO pct(a, b) AS 100 * (b - a) / a; SELECT pct(1, 2)\"");
  auto query = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("table");
  auto write = std::make_shared<bool>(false);
  command->add_option("query", *query, "The SQL statement")->required();
  command->add_flag("--write", *write,
                    "Also allow CREATE, INSERT, UPDATE, DELETE, DROP and ALTER of in-memory tables, views and macros, "
                    "and several statements (the last one answers). They vanish when the command ends; nothing is "
                    "written to any file, in the lake or outside it (COPY, EXPORT, ATTACH, INSTALL, LOAD, SET and "
                    "PRAGMA stay refused)");
  command->add_option("--format", *format, "table (default on a terminal), csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  command->callback([&global, &exit_code, query, format, write] {
    auto context = Context::create(global);
    if (!context) { exit_code = report_error(context.error()); return; }
    auto duckdb = (*context)->duckdb();
    if (!duckdb) { exit_code = report_error(duckdb.error()); return; }
    auto session = query::SqlSession::open((*context)->store(), **duckdb,
                                           *write ? query::Access::session_writes : query::Access::read_only,
                                           {(*context)->config().sql.memory_limit});
    if (!session) { exit_code = report_error(session.error()); return; }
    auto result = (*session)->run(*query, {SIZE_MAX, static_cast<size_t>((*context)->config().sql.max_answer_bytes), 0});
    if (!result) { exit_code = report_error(result.error()); return; }
    if (result->truncated) {
      fmt::print(stderr, "truncated: the answer passed sql.max_answer_bytes ({} bytes); narrow the query or raise the limit\n",
                 (*context)->config().sql.max_answer_bytes);
    }
    query::OutputFormat output = query::OutputFormat::table;
    if (*format == "csv") output = query::OutputFormat::csv;
    else if (*format == "json" || global.json) output = query::OutputFormat::json;
    const size_t max_rows = ::isatty(STDOUT_FILENO) ? 40 : SIZE_MAX;
    fmt::print("{}", output == query::OutputFormat::table ? query::format_table(*result, max_rows)
                                                          : query::format_result(*result, output));
    exit_code = 0;
  });
}

}  // namespace cryptolake::cli
