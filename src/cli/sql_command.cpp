#include <unistd.h>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "query/result_format.hpp"

namespace cryptolake::cli {

void add_sql_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("sql", "Run SQL over the curated tables (each table is a view by its name)");
  command->footer(
      "Tables: every curated table by name (see `cryptolake catalog list`); dt is a column.\n"
      "Examples:\n"
      "  cryptolake sql \"SELECT symbol, count(*) FROM market_ohlcv GROUP BY ALL\"\n"
      "  cryptolake sql --format csv \"SELECT * FROM agg_market_daily WHERE symbol = 'BTC-USDT'\"");
  auto query = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("table");
  auto write = std::make_shared<bool>(false);
  command->add_option("query", *query, "The SQL statement")->required();
  command->add_flag("--write", *write, "Allow statements other than SELECT/EXPLAIN (in-memory; the lake stays unchanged)");
  command->add_option("--format", *format, "table (default on a terminal), csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  command->callback([&global, &exit_code, query, format, write] {
    auto context = Context::create(global);
    if (!context) { exit_code = report_error(context.error()); return; }
    auto duckdb = (*context)->duckdb();
    if (!duckdb) { exit_code = report_error(duckdb.error()); return; }
    auto session = query::SqlSession::open((*context)->store(), **duckdb, !*write);
    if (!session) { exit_code = report_error(session.error()); return; }
    auto result = (*session)->run(*query);
    if (!result) {
      // DuckDB messages span lines ("Catalog Error: …\n\nLINE 1: …"): keep the first.
      std::string message = result.error().message;
      message = message.substr(0, message.find('\n'));
      exit_code = report_error({result.error().code, message});
      return;
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
