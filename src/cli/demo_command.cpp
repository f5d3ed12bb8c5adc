#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/pipeline.hpp"
#include "cli/simulation_options.hpp"
#include "lake/raw_zone.hpp"
#include "query/result_format.hpp"
#include "lake/layout.hpp"

namespace cryptolake::cli {

namespace {

struct ExampleQuery {
  const char* question;
  const char* sql;
};

constexpr ExampleQuery kExamples[] = {
    {"Which coins moved most? Mean daily volatility (std of 1-minute log returns, scaled to a day) and range",
     "SELECT symbol, round(avg(volatility) * sqrt(1440) * 100, 2) AS daily_vol_pct,\n"
     "       min(min_price) AS low, max(max_price) AS high, round(sum(quote_volume) / 1e6, 1) AS quote_vol_musd\n"
     "FROM agg_market_daily GROUP BY symbol ORDER BY daily_vol_pct DESC"},
    {"The last five BTC minutes with lag, % change and moving averages",
     "SELECT open_time, close, prev_close, round(pct_change, 4) AS pct_change,\n"
     "       round(ma_5, 2) AS ma_5, round(ma_long, 2) AS ma_long\n"
     "FROM market_features WHERE symbol = 'BTC-USDT' ORDER BY open_time DESC LIMIT 5"},
    {"Posts per coin, their mean sentiment and engagement",
     "SELECT coin, count(*) AS posts, round(avg(sentiment), 3) AS mean_sentiment, round(avg(like_count), 1) AS avg_likes\n"
     "FROM (SELECT unnest(coins) AS coin, sentiment, like_count FROM posts)\n"
     "GROUP BY coin ORDER BY posts DESC"},
    {"How do sentiment and price relate? (lag k: sentiment at hour h vs the return at h + k)",
     "SELECT coin, hours, round(pearson_same_hour, 3) AS r_same_hour, round(pearson_next_hour, 3) AS r_next_hour,\n"
     "       best_lag_hours, round(best_lag_correlation, 3) AS r_best_lag, round(p_value, 4) AS p_value\n"
     "FROM sentiment_price_summary ORDER BY coin"},
};

// Everything under `prefix`, published or not.
core::Status remove_prefix(lake::ObjectStore& store, std::string_view prefix) {
  TRY(store.remove_stale_staging(prefix));
  TRY_ASSIGN(const std::vector<std::string> keys, store.list(prefix));
  for (const std::string& key : keys) TRY(store.remove(key));
  return {};
}

// The demo owns only simulator data: refuse a lake that holds anything from real sources.
core::Status check_demo_lake(const lake::ObjectStore& store) {
  TRY_ASSIGN(const std::vector<std::string> raw, store.list(lake::layout::kRaw));
  for (const std::string& key : raw) {
    if (!key.starts_with(lake::layout::raw_prefix("simulator"))) {
      return core::fail(core::ErrorCode::invalid_argument,
                        "this lake holds data from other sources ({}); run the demo with --lake on another folder", key);
    }
  }
  return {};
}

}  // namespace

void add_demo_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand(
      "demo", "Run the whole pipeline offline on simulated data, then show example queries and their answers");
  command->footer(
      "Simulates 8 symbols × 30 days of 1-minute klines plus posts (with injected faults),\n"
      "lands them in the raw zone, builds the curated tables and answers four questions.\n"
      "Examples:\n"
      "  cryptolake demo\n"
      "  cryptolake demo --days 7 --symbols 3 --seed 1 --lake /tmp/demo-lake");
  auto flags = std::make_shared<SimulationFlags>();
  flags->add_to(*command);
  command->callback([&global, &exit_code, flags] {
    const auto started = std::chrono::steady_clock::now();
    const auto fail = [&](const core::Error& error) { exit_code = report_error(error); };
    auto context = Context::create_writer(global, "demo");
    if (!context) return fail(context.error());
    Context& ctx = **context;
    core::SimulatorConfig config = ctx.config().simulator;
    if (auto status = flags->apply(config); !status) return fail(status.error());
    if (auto status = check_demo_lake(ctx.store()); !status) return fail(status.error());
    // Curated tables come only from the simulation here, so start them afresh, with the state
    // derived from them (gap ledger, fingerprints).
    for (const std::string_view derived : {lake::layout::kCurated, lake::layout::kGapsPrefix, lake::layout::kFingerprintsPrefix,
                                             lake::layout::kVersionsPrefix, lake::layout::kConsumedPrefix}) {
      if (auto removed = remove_prefix(ctx.store(), derived); !removed) return fail(removed.error());
    }

    const auto sim_start = std::chrono::steady_clock::now();
    auto report = simulate_into(ctx.store(), config);
    if (!report) return fail(report.error());
    const double sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - sim_start).count();
    auto stages = run_pipeline(ctx);
    if (!stages) return fail(stages.error());
    if (global.json) {
      fmt::print("{{\"simulation\":{},\"stages\":{}}}\n", report->to_json(), summary_json(*stages));
      exit_code = 0;
      return;
    }
    fmt::print("{}simulate: {:.2f} s\n\n{}\n", describe(*report), sim_seconds, format_summary(*stages));
    fmt::print("The lake is at {}:\n  raw/ (as received, zstd NDJSON)  quarantine/ (rejected, with reasons)  "
               "curated/ (Parquet by dt=)\n\n",
               ctx.store().location(""));

    auto duckdb = ctx.duckdb();
    if (!duckdb) return fail(duckdb.error());
    auto session = query::SqlSession::open(ctx.store(), **duckdb);
    if (!session) return fail(session.error());
    for (const ExampleQuery& example : kExamples) {
      auto result = (*session)->run(example.sql);
      if (!result) return fail(result.error());
      fmt::print("-- {}\n{};\n{}\n", example.question, example.sql, query::format_table(*result, 10));
    }
    fmt::print("Ask your own: ./build/cryptolake sql --lake {} \"SELECT * FROM agg_market_daily LIMIT 5\"\n",
               ctx.config().lake);
    fmt::print("demo finished in {:.1f} s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    exit_code = 0;
  });
}

}  // namespace cryptolake::cli
