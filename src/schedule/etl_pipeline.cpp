#include "schedule/etl_pipeline.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include "transform/dimensions.hpp"
#include "analytics/kline_gaps.hpp"
#include "analytics/market_aggregates.hpp"
#include "analytics/market_features.hpp"
#include "analytics/alerts.hpp"
#include "analytics/projections.hpp"
#include "analytics/stream_stats.hpp"
#include "analytics/sentiment_analysis.hpp"
#include "lake/layout.hpp"
#include "schedule/run_history.hpp"
#include "schedule/stage_memo.hpp"
#include "transform/market_events_etl.hpp"
#include "transform/market_ohlcv_etl.hpp"
#include "transform/market_ticks_etl.hpp"
#include "transform/posts_etl.hpp"

namespace cryptolake::schedule {

namespace {

using Strings = std::vector<std::string>;

// Progress, and the stage's ledger of consumed raw objects for an incremental run.
transform::EtlOptions etl_options(StageEnv& env, std::string_view stage) {
  env.now_consumed.emplace();
  return {env.threads,
          [&env, stage](size_t done, size_t total) {
            if (env.progress) env.progress(stage, done, total);
          },
          env.incremental ? env.consumed : std::nullopt, &*env.now_consumed,
          static_cast<size_t>(env.config.etl.memory_mb) << 20};
}

std::unique_ptr<Stage> stage(std::string name, Strings inputs, Strings outputs, FunctionStage::Work work, Strings incremental = {}) {
  return std::make_unique<FunctionStage>(std::move(name), std::move(inputs), std::move(outputs), std::move(work), std::move(incremental));
}

std::unique_ptr<Stage> aggregate(analytics::Period period, std::string table) {
  return stage(table, {"curated/market_ohlcv", "curated/market_features"}, {table}, [period](StageEnv& env) {
    return analytics::build_market_aggregates(env.store, env.duckdb, period, env.threads);
  });
}

// Bump when a stage writes different bytes for the same inputs (a new column, a fixed bug), so
// lakes built by an earlier version recompute instead of reusing (`etl --full` forces it too).
constexpr std::string_view kStagesVersion = "stages-2";

// What shapes every output besides the inputs: this version, the feature windows, the checks
// that gate publishing.
std::string settings_fingerprint(const core::Config& config, const std::vector<quality::CheckSpec>& checks) {
  std::string settings = fmt::format("{} ma={} vol={} projections={}/{}/{}", kStagesVersion, config.features.ma_window, config.features.volatility_window,
                                     config.projections.window, config.projections.refit_every, config.projections.last_days);
  for (const core::AlertRuleConfig& a : config.alerts) {
    settings += fmt::format("\nalert {} {} {} {} {} {} {}", a.name, a.kind, a.symbol, a.percent, a.minutes, a.zscore, a.horizon);
  }
  for (const quality::CheckSpec& c : checks) {
    settings += fmt::format("\n{} {} {} {} {} {} {} {}", c.name(), c.expression, c.min.value_or(-1), c.max.value_or(-1), c.max_age_hours,
                            c.ref_table, c.ref_column, static_cast<int>(c.severity));
  }
  return settings;
}

}  // namespace

std::vector<std::unique_ptr<Stage>> etl_stages() {
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(stage("market_ohlcv", {"raw/*/klines", "raw/*/archive", "raw/*/ws_kline"}, {"market_ohlcv"}, [](StageEnv& env) {
    return transform::run_market_ohlcv_etl(env.store, env.duckdb, etl_options(env, "market_ohlcv"));
  }, {"raw/*/klines", "raw/*/archive", "raw/*/ws_kline"}));
  stages.push_back(stage("trades", {"raw/*/ws_trade", "raw/*/ws_aggtrade"}, {"trades"}, [](StageEnv& env) {
    return transform::run_trades_etl(env.store, env.duckdb, etl_options(env, "trades"));
  }, {"raw/*/ws_trade", "raw/*/ws_aggtrade"}));
  stages.push_back(stage("quotes", {"raw/*/ws_bookticker"}, {"quotes"}, [](StageEnv& env) {
    return transform::run_quotes_etl(env.store, env.duckdb, etl_options(env, "quotes"));
  }, {"raw/*/ws_bookticker"}));
  stages.push_back(stage("market_ticks", {"raw/*/ticker_price", "raw/*/ticker_24hr", "raw/*/assets", "raw/*/asset_history", "raw/*/exchange_rates",
                                          "raw/*/currentprice"},
                         {"market_ticks"},
                         [](StageEnv& env) { return transform::run_market_ticks_etl(env.store, env.duckdb, {env.threads, {}}); }));
  // Coins first: posts are tagged against dim_coin while they are transformed.
  stages.push_back(stage("dim_coin", {"curated/market_ohlcv", "curated/market_ticks", "raw/*/assets"}, {"dim_coin"},
                         [](StageEnv& env) { return transform::build_dim_coin(env.store, env.duckdb); }));
  stages.push_back(stage("posts", {"raw/*/tweets", "raw/*/reddit_new", "curated/dim_coin"}, {"posts"}, [](StageEnv& env) -> core::Result<lake::WriteStats> {
    TRY_ASSIGN(std::vector<core::KnownCoin> coins, analytics::load_coins(env.store, env.duckdb));
    const analytics::PostSentimentEnricher enricher(analytics::CoinTagger(coins), std::make_unique<analytics::LexiconSentimentScorer>());
    return transform::run_posts_etl(env.store, env.duckdb, etl_options(env, "posts"), &enricher);
  }, {"raw/*/tweets", "raw/*/reddit_new"}));
  stages.push_back(stage("coin_stats", {"raw/*/market_chart"}, {"coin_stats"},
                         [](StageEnv& env) { return transform::run_coin_stats_etl(env.store, env.duckdb, {env.threads, {}}); }));
  stages.push_back(stage("coin_markets", {"raw/*/coins_markets"}, {"coin_markets"},
                         [](StageEnv& env) { return transform::run_coin_markets_etl(env.store, env.duckdb, {env.threads, {}}); }));
  stages.push_back(stage("market_features", {"curated/market_ohlcv"}, {"market_features"}, [](StageEnv& env) {
    env.now_consumed.emplace();
    return analytics::build_market_features(env.store, env.duckdb, env.config.features, env.threads,
                                            env.incremental ? env.consumed : std::nullopt, &*env.now_consumed);
  }, {"curated/market_ohlcv"}));
  stages.push_back(stage("projections", {"curated/market_ohlcv"}, {"projections", "projection_outcomes"}, [](StageEnv& env) {
    env.now_consumed.emplace();
    return analytics::build_projections(env.store, env.duckdb, env.config.projections, env.threads,
                                        env.incremental ? env.consumed : std::nullopt, &*env.now_consumed);
  }, {"curated/market_ohlcv"}));
  stages.push_back(stage("stream_stats", {"curated/market_ohlcv"}, {"stream_stats"}, [](StageEnv& env) {
    env.now_consumed.emplace();
    return analytics::build_stream_stats(env.store, env.duckdb, env.config.projections.last_days, env.threads,
                                         env.incremental ? env.consumed : std::nullopt, &*env.now_consumed);
  }, {"curated/market_ohlcv"}));
  stages.push_back(stage("alerts", {"curated/market_ohlcv", "curated/projection_outcomes"}, {"alerts"}, [](StageEnv& env) {
    env.now_consumed.emplace();
    return analytics::build_alerts(env.store, env.duckdb, env.config.alerts, env.config.projections.last_days, env.threads,
                                   env.incremental ? env.consumed : std::nullopt, &*env.now_consumed);
  }, {"curated/market_ohlcv", "curated/projection_outcomes"}));
  stages.push_back(aggregate(analytics::Period::hour, "agg_market_hourly"));
  stages.push_back(aggregate(analytics::Period::day, "agg_market_daily"));
  stages.push_back(aggregate(analytics::Period::month, "agg_market_monthly"));
  stages.push_back(stage("gaps", {"curated/market_ohlcv", std::string(lake::layout::kGapsLedgerKey)}, {"gaps", "completeness"},
                         [](StageEnv& env) { return analytics::build_kline_gaps(env.store, env.duckdb, env.threads); }));
  stages.push_back(stage("sentiment_price", {"curated/posts", "curated/agg_market_hourly"}, {"sentiment_hourly", "sentiment_price", "sentiment_price_summary"},
                         [](StageEnv& env) { return analytics::build_sentiment_tables(env.store, env.duckdb, env.threads); }));
  stages.push_back(stage("dim_date", {"curated/*"}, {"dim_date"},
                         [](StageEnv& env) { return transform::build_dim_date(env.store, env.duckdb, env.threads); }));
  return stages;
}

core::Result<PipelineRun> run_etl_pipeline(lake::ObjectStore& store, lake::DuckDb& duckdb, const core::Config& config, size_t threads,
                                           io::Clock& clock, PipelineOptions options, const StageProgress& progress) {
  // A killed earlier run may have left staging areas; no writer runs now, so remove them.
  TRY(store.remove_stale_staging(lake::layout::kCurated));
  TRY(store.remove_stale_staging(lake::layout::kQuarantine));
  TRY_ASSIGN(std::vector<quality::CheckSpec> checks, quality::checks_from_config(config.quality));
  const core::Timestamp now = clock.now();
  PipelineRun run;
  run.run_id = new_run_id(now);
  TRY_ASSIGN(StageMemos memos, StageMemos::open(store, settings_fingerprint(config, checks)));
  quality::GatedObjectStore gated(store, duckdb, std::move(checks), {run.run_id, now}, options.force);
  StageEnv env{gated, duckdb, config, threads, progress, false, std::nullopt, std::nullopt};
  std::set<std::string> written;  // tables written by the stages so far
  for (const std::unique_ptr<Stage>& step : etl_stages()) {
    if (!options.only.empty() && std::ranges::find(options.only, step->name()) == options.only.end()) continue;
    const auto start = std::chrono::steady_clock::now();
    TRY_ASSIGN(const InputPrints before, memos.input_prints(*step, written));
    const auto memo = memos.load(step->name());
    TRY_ASSIGN(const size_t objects, memos.output_objects(*step));
    lake::WriteStats stats;
    const bool intact = !options.full && memo && memo->settings == memos.settings() && memo->output_objects == objects;
    if (intact && memo->fingerprint == memos.fingerprint(*step, before)) {
      stats = memo->stats;  // reused: what its last run wrote is what it would write now
    } else {
      // Incremental when only inputs the stage applies incrementally changed, and it left state.
      bool incremental = intact;
      for (const auto& [input, print] : before) {
        const bool delta = std::ranges::find(step->incremental_inputs(), input) != step->incremental_inputs().end();
        const auto then = incremental ? memo->inputs.find(input) : memo->inputs.end();
        if (!delta && (!incremental || then == memo->inputs.end() || then->second != print)) incremental = false;
      }
      const std::string consumed_key = lake::layout::consumed_key(step->name());
      env.consumed.reset();
      env.now_consumed.reset();
      if (incremental) {
        if (auto text = store.get(consumed_key)) env.consumed = std::move(*text);
      }
      env.incremental = env.consumed.has_value();
      TRY(memos.forget(step->name()));
      const size_t held_before = gated.held().size();
      TRY_ASSIGN(stats, step->run(env));
      memos.forget_versions(*step);
      if (gated.held().size() == held_before) {
        if (env.now_consumed) TRY(store.put(consumed_key, *env.now_consumed));
        // Its own _catalog state may have moved on (the gap ledger): remember the state it left.
        TRY_ASSIGN(const InputPrints after, memos.input_prints(*step, written));
        TRY_ASSIGN(const size_t after_objects, memos.output_objects(*step));
        TRY(memos.save(step->name(), {memos.fingerprint(*step, after), memos.settings(), after, after_objects, stats}));
      }
    }
    for (const std::string& table : step->outputs()) written.insert(table);
    // What the stage freed goes back to the system before the next one allocates its own: the
    // allocators kept ~0.4 GB of a 600-day run's earlier stages beneath the hourly aggregate's peak.
    // Not for the lander's curation of each micro-batch (`only`): faulting the pages in again
    // every micro-batch cost `bench stream` a tenth of its rate.
    if (options.only.empty()) ::malloc_trim(0);
    run.stages.push_back({std::move(stats), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
    spdlog::debug("stage {} {} in {:.2f} s", step->name(), run.stages.back().stats.reused ? "reused" : "done", run.stages.back().seconds);
  }
  run.checks = gated.results();
  run.held = gated.held();
  TRY(quality::append_results(store, duckdb, run.checks));
  std::vector<StageRun> finished;
  const core::Timestamp at = clock.now();
  for (const StageResult& stage : run.stages) {
    const bool wrote = !stage.stats.reused;
    finished.push_back({run.run_id, stage.stats.table, at, stage.seconds, wrote ? stage.stats.rows_out : 0, wrote ? stage.stats.quarantined : 0});
  }
  // The history feeds /metrics: best effort, a failed write does not fail the run.
  (void)RunHistory(store).record(finished);
  return run;
}

}  // namespace cryptolake::schedule
