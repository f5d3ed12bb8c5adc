// `cryptolake analyze sentiment`: how social sentiment and price moves relate, per coin.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "query/result_format.hpp"

namespace cryptolake::cli {

void add_analyze_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("analyze", "Analyses over the curated tables");
  command->require_subcommand(1);
  auto* sentiment = command->add_subcommand("sentiment", "Sentiment ↔ price: correlations and lead/lag per coin");
  sentiment->footer(
      "Lag k pairs the sentiment of hour h with the return of hour h + k: a positive best lag means the\n"
      "crowd's tone runs ahead of the price. The p-value is a permutation test of the best lag.\n"
      "Examples:\n"
      "  cryptolake analyze sentiment\n"
      "  cryptolake analyze sentiment --coin BTC --format csv");
  auto coin = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("table");
  sentiment->add_option("--coin", *coin, "Only this coin (BTC)");
  sentiment->add_option("--format", *format, "table, csv or json")->check(CLI::IsMember({"table", "csv", "json"}));
  sentiment->callback([&global, &exit_code, coin, format] {
    auto context = Context::create(global);
    if (!context) { exit_code = report_error(context.error()); return; }
    auto duckdb = (*context)->duckdb();
    if (!duckdb) { exit_code = report_error(duckdb.error()); return; }
    auto session = query::SqlSession::open((*context)->store(), **duckdb);
    if (!session) { exit_code = report_error(session.error()); return; }
    if (std::ranges::find((*session)->tables(), "sentiment_price_summary") == (*session)->tables().end()) {
      exit_code = report_error({core::ErrorCode::not_found,
                                "no sentiment_price_summary yet: it needs posts and market data; run `cryptolake etl`"});
      return;
    }
    std::string where;
    if (!coin->empty()) where = fmt::format(" WHERE coin = upper({})", lake::sql_string(*coin));
    auto result = (*session)->run(
        "SELECT coin, symbol, hours, round(pearson_same_hour, 3) AS r_same_hour, round(spearman_same_hour, 3) AS rho_same_hour, "
        "round(pearson_next_hour, 3) AS r_next_hour, round(spearman_next_hour, 3) AS rho_next_hour, "
        "best_lag_hours, round(best_lag_correlation, 3) AS r_best_lag, round(p_value, 4) AS p_value, lag_correlations "
        "FROM sentiment_price_summary" + where + " ORDER BY coin");
    if (!result) { exit_code = report_error(result.error()); return; }
    if (*format == "table" && !global.json) {
      fmt::print("Sentiment vs hourly log returns (lag k: sentiment at h, return at h + k)\n{}", query::format_table(*result, 100));
      for (const auto& row : result->rows) {
        const int lag = std::stoi(*row[7]);
        fmt::print("{}: strongest at lag {:+d} h (r = {}, p = {}): {}\n", *row[0], lag, *row[8], *row[9],
                   lag > 0 ? "sentiment leads price" : lag < 0 ? "sentiment follows price" : "they move together");
      }
    } else {
      fmt::print("{}", query::format_result(*result, *format == "csv" ? query::OutputFormat::csv : query::OutputFormat::json));
    }
    exit_code = 0;
  });
}

}  // namespace cryptolake::cli
