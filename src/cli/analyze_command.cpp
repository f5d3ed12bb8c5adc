// `cryptolake analyze sentiment`: how social sentiment and price moves relate, per coin.
// `cryptolake analyze projections`: how good the Gaussian-process projections are, against baselines.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "analytics/projections.hpp"
#include "analytics/sentiment_analysis.hpp"
#include "query/result_format.hpp"
#include "query/sql_session.hpp"

namespace cryptolake::cli {

namespace {

// A read-only SQL session over the lake, with the context it borrows from.
struct Analysis {
  std::unique_ptr<Context> context;
  std::unique_ptr<query::SqlSession> session;
};

core::Result<Analysis> open_analysis(const GlobalOptions& global) {
  Analysis out;
  TRY_ASSIGN(out.context, Context::create(global));
  TRY_ASSIGN(lake::DuckDb* duckdb, out.context->duckdb());
  TRY_ASSIGN(out.session, query::SqlSession::open(out.context->store(), *duckdb));
  return out;
}

bool has_table(query::SqlSession& session, std::string_view table) {
  return std::ranges::find(session.tables(), table) != session.tables().end();
}

// Why a coin with posts has no correlation: which prices are missing, over which span.
std::string what_is_missing(query::SqlSession& session, const std::string& coin_filter) {
  if (!has_table(session, "posts")) return "no posts yet: import or ingest some (`cryptolake import posts FILE`)";
  auto posts = session.run(
      "SELECT coin, strftime(min(created_at) AT TIME ZONE 'UTC', '%Y-%m-%d %H:00'), strftime(max(created_at) AT TIME ZONE 'UTC', '%Y-%m-%d %H:00') "
      "FROM (SELECT unnest(coins) AS coin, created_at FROM posts)" + coin_filter + " GROUP BY coin ORDER BY count(*) DESC LIMIT 10");
  if (!posts || posts->rows.empty()) return "no post names a known coin" + std::string(coin_filter.empty() ? "" : " of that name");
  std::string missing;
  for (const auto& row : posts->rows) {
    const std::string coin = row[0].value_or(""), from = row[1].value_or(""), to = row[2].value_or("");
    std::string held = "market_ohlcv holds nothing";
    if (has_table(session, "market_ohlcv")) {
      auto market = session.run(fmt::format(
          "SELECT strftime(min(open_time) AT TIME ZONE 'UTC', '%Y-%m-%d %H:00'), strftime(max(open_time) AT TIME ZONE 'UTC', '%Y-%m-%d %H:00') "
          "FROM market_ohlcv WHERE split_part(symbol, '-', 1) = {}", lake::sql_string(coin)));
      if (market && !market->rows.empty() && market->rows[0][0]) {
        held = fmt::format("market_ohlcv holds {} from {} to {}", coin, *market->rows[0][0], market->rows[0][1].value_or(""));
      } else {
        held = fmt::format("market_ohlcv holds no {} pair", coin);
      }
    }
    missing += fmt::format("{}no market data for {} between {} and {} UTC, the hours its posts span ({})", missing.empty() ? "" : "\n",
                           coin, from, to, held);
  }
  return missing + "\nland prices for those hours (`cryptolake ingest binance --symbols …` or `import binance-archive`)";
}

void add_analyze_projections(CLI::App* command, GlobalOptions& global, int& exit_code) {
  auto* projections = command->add_subcommand("projections", "Accuracy of the projections per symbol and horizon, next to two baselines");
  projections->footer(
      "Per symbol and horizon: MAE and RMSE of the projected close, how often the actual fell inside the\n"
      "95 % band (coverage_95; a calibrated band is near 0.95) and the band's mean width, and the MAE of\n"
      "two baselines on the same candles: the last value, and drift (the window's mean return carried on).\n"
      "Examples:\n"
      "  cryptolake analyze projections\n"
      "  cryptolake analyze projections --symbol BTC-USDT --from 2024-01-02 --format csv");
  struct Flags {
    std::string symbol, from, to, format = "table";
  };
  auto flags = std::make_shared<Flags>();
  projections->add_option("--symbol", flags->symbol, "Only this symbol (BTC-USDT)");
  projections->add_option("--from", flags->from, "Projections made at or after (YYYY-MM-DD or ISO time, UTC)");
  projections->add_option("--to", flags->to, "Projections made before (YYYY-MM-DD or ISO time, UTC)");
  projections->add_option("--format", flags->format, "table, csv or json")->check(CLI::IsMember({"table", "csv", "json"}));
  projections->callback([&global, &exit_code, flags] {
    for (const std::string* time : {&flags->from, &flags->to}) {
      if (!time->empty() && !core::Timestamp::parse_iso(*time)) {
        exit_code = report_error({core::ErrorCode::invalid_argument, "--from/--to take YYYY-MM-DD or an ISO time"});
        return;
      }
    }
    auto opened = open_analysis(global);
    if (!opened) { exit_code = report_error(opened.error()); return; }
    auto& session = opened->session;
    if (!has_table(*session, "projection_outcomes")) {
      exit_code = report_error({core::ErrorCode::not_found,
                                "no projection outcomes yet: run `cryptolake etl` (or `stream run`) over at least an hour of candles"});
      return;
    }
    const auto given = [](const std::string& text) { return text.empty() ? std::nullopt : std::optional<std::string_view>(text); };
    auto answer = session->run(analytics::projection_accuracy_sql(given(flags->symbol), given(flags->from), given(flags->to)));
    if (!answer) { exit_code = report_error(answer.error()); return; }
    if (answer->rows.empty()) {
      exit_code = report_error({core::ErrorCode::not_found, "no projection outcomes match"});
      return;
    }
    if (flags->format == "table" && !global.json) {
      fmt::print("Projections vs actual closes (errors in price units; baselines on the same candles)\n{}", query::format_table(*answer, 200));
    } else {
      fmt::print("{}", query::format_result(*answer, flags->format == "csv" ? query::OutputFormat::csv : query::OutputFormat::json));
    }
    exit_code = 0;
  });
}

}  // namespace

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
    auto opened = open_analysis(global);
    if (!opened) { exit_code = report_error(opened.error()); return; }
    auto& session = opened->session;
    std::string where;
    if (!coin->empty()) where = fmt::format(" WHERE coin = upper({})", lake::sql_string(*coin));
    std::optional<query::ResultTable> result;
    if (has_table(*session, "sentiment_price_summary")) {
      auto answer = session->run(
          "SELECT coin, symbol, hours, round(pearson_same_hour, 3) AS r_same_hour, round(spearman_same_hour, 3) AS rho_same_hour, "
          "round(pearson_next_hour, 3) AS r_next_hour, round(spearman_next_hour, 3) AS rho_next_hour, "
          "best_lag_hours, round(best_lag_correlation, 3) AS r_best_lag, round(p_value, 4) AS p_value, lag_correlations, low_sample "
          "FROM sentiment_price_summary" + where + " ORDER BY coin");
      if (!answer) { exit_code = report_error(answer.error()); return; }
      result = std::move(*answer);
    }
    if (!result || result->rows.empty()) {
      exit_code = report_error({core::ErrorCode::not_found, what_is_missing(*session, where)});
      return;
    }
    for (const auto& row : result->rows) {
      if (row[11] == "1") {
        fmt::print(stderr, "warning: {}: the correlation rests on {} hour(s), fewer than {}: read it as a hint, not a finding (low_sample)\n",
                   row[0].value_or(""), row[2].value_or("0"), analytics::kMinSampleHours);
      }
    }
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
  add_analyze_projections(command, global, exit_code);
}

}  // namespace cryptolake::cli
