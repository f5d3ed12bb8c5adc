// `cryptolake gaps`: the completeness ledger — every missing span of candles and its class.
#include <fmt/format.h>

#include "analytics/kline_gaps.hpp"
#include "cli/commands.hpp"
#include "core/symbol.hpp"
#include "query/result_format.hpp"

namespace cryptolake::cli {

void add_gaps_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("gaps", "List missing candles: span, count and class (missing / missing_upstream / filled)");
  command->footer(
      "Classes: missing = not served when fetched; missing_upstream = refetched with `ingest binance --repair`\n"
      "and still absent (an exchange outage); filled = listed before, present now.\n"
      "Examples:\n"
      "  cryptolake gaps\n"
      "  cryptolake gaps --symbol BTC-USDT --class missing --format csv");
  auto symbol = std::make_shared<std::string>();
  auto gap_class = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("table");
  command->add_option("--symbol", *symbol, "Only this symbol (BTCUSDT or BTC-USDT)");
  command->add_option("--class", *gap_class, "Only this class")->check(CLI::IsMember({"missing", "missing_upstream", "filled"}));
  command->add_option("--format", *format, "table, csv or json")->check(CLI::IsMember({"table", "csv", "json"}));
  command->callback([&global, &exit_code, symbol, gap_class, format] {
    auto context = Context::create(global);
    if (!context) { exit_code = report_error(context.error()); return; }
    auto ledger = analytics::read_gap_ledger((*context)->store());
    if (!ledger) { exit_code = report_error(ledger.error()); return; }
    std::string wanted;
    if (!symbol->empty()) {
      auto parsed = core::Symbol::parse(*symbol);
      if (!parsed) { exit_code = report_error(parsed.error()); return; }
      wanted = parsed->canonical();
    }
    query::ResultTable table;
    table.columns = {"source", "symbol", "interval", "gap_start", "gap_end", "missing_candles", "class"};
    table.numeric = {false, false, false, false, false, true, false};
    for (const auto& g : *ledger) {
      if ((!wanted.empty() && g.symbol != wanted) || (!gap_class->empty() && g.gap_class != *gap_class)) continue;
      table.rows.push_back({g.source, g.symbol, g.interval, g.start.iso(), g.end.iso(), std::to_string(g.missing), g.gap_class});
    }
    const auto output = *format == "csv" ? query::OutputFormat::csv
                        : (*format == "json" || global.json) ? query::OutputFormat::json
                                                              : query::OutputFormat::table;
    fmt::print("{}", query::format_result(table, output));
    exit_code = 0;
  });
}

}  // namespace cryptolake::cli
