#include "cli/pipeline.hpp"

#include <chrono>
#include <functional>

#include <fmt/format.h>

#include "analytics/market_aggregates.hpp"
#include "analytics/dimensions.hpp"
#include "analytics/kline_gaps.hpp"
#include "analytics/sentiment_analysis.hpp"
#include "analytics/market_features.hpp"
#include "cli/progress.hpp"
#include <unistd.h>

#include "core/log.hpp"
#include "quality/publish_gate.hpp"
#include "transform/market_ticks_etl.hpp"
#include "transform/posts_etl.hpp"
#include "lake/layout.hpp"

namespace cryptolake::cli {

namespace {

template <typename F>
core::Status timed(std::vector<StageResult>& out, F&& stage) {
  const auto start = std::chrono::steady_clock::now();
  TRY_ASSIGN(transform::EtlStats stats, stage());
  out.push_back({std::move(stats), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
  spdlog::debug("stage {} done in {:.2f} s", out.back().stats.table, out.back().seconds);
  return {};
}

}  // namespace

std::string new_run_id(core::Timestamp now) {
  const std::string iso = now.iso();
  return fmt::format("run-{}{}{}T{}{}{}-{}", iso.substr(0, 4), iso.substr(5, 2), iso.substr(8, 2), iso.substr(11, 2),
                     iso.substr(14, 2), iso.substr(17, 2), ::getpid());
}

core::Result<std::vector<StageResult>> run_pipeline(Context& context, PipelineOptions options) {
  TRY_ASSIGN(lake::DuckDb* duckdb, context.duckdb());
  lake::LocalObjectStore& local = context.store();
  // A killed earlier run may have left staging areas; no writer runs now, so remove them.
  TRY(local.remove_stale_staging(lake::layout::kCurated));
  TRY(local.remove_stale_staging(lake::layout::kQuarantine));
  TRY_ASSIGN(std::vector<quality::CheckSpec> checks, quality::checks_from_config(context.config().quality));
  const core::Timestamp now = context.clock().now();
  quality::GatedObjectStore store(local, *duckdb, std::move(checks), {new_run_id(now), now}, options.force);
  const size_t threads = context.threads();
  std::vector<StageResult> stages;
  {
    ProgressLine progress("market_ohlcv");
    TRY(timed(stages, [&] {
      return transform::run_market_ohlcv_etl(store, *duckdb, {threads, [&](size_t d, size_t t) { progress.update(d, t); }});
    }));
  }
  TRY(timed(stages, [&] { return transform::run_market_ticks_etl(store, *duckdb, {threads, {}}); }));
  // Coins first: posts are tagged against dim_coin while they are transformed.
  TRY(timed(stages, [&] { return analytics::build_dim_coin(store, *duckdb); }));
  {
    TRY_ASSIGN(std::vector<analytics::KnownCoin> coins, analytics::load_coins(store, *duckdb));
    const analytics::PostSentimentEnricher enricher(analytics::CoinTagger(coins),
                                                    std::make_unique<analytics::LexiconSentimentScorer>());
    ProgressLine progress("posts");
    TRY(timed(stages, [&] {
      return transform::run_posts_etl(store, *duckdb, {threads, [&](size_t d, size_t t) { progress.update(d, t); }}, &enricher);
    }));
  }
  TRY(timed(stages, [&] { return transform::run_coin_stats_etl(store, *duckdb, {threads, {}}); }));
  TRY(timed(stages, [&] { return transform::run_coin_markets_etl(store, *duckdb, {threads, {}}); }));
  TRY(timed(stages, [&] { return analytics::build_market_features(store, *duckdb, context.config().features, threads); }));
  TRY(timed(stages, [&] { return analytics::build_market_aggregates(store, *duckdb, analytics::Period::hour, threads); }));
  TRY(timed(stages, [&] { return analytics::build_market_aggregates(store, *duckdb, analytics::Period::day, threads); }));
  TRY(timed(stages, [&] { return analytics::build_market_aggregates(store, *duckdb, analytics::Period::month, threads); }));
  TRY(timed(stages, [&] { return analytics::build_kline_gaps(store, *duckdb, threads); }));
  TRY(timed(stages, [&] { return analytics::build_sentiment_tables(store, *duckdb, threads); }));
  TRY(timed(stages, [&] { return analytics::build_dim_date(store, *duckdb, threads); }));
  TRY(quality::append_results(local, *duckdb, store.results()));
  // Run history for /metrics: one line per stage (run, stage, finished at, seconds, rows, quarantined).
  for (const StageResult& stage : stages) {
    record_stage(context, new_run_id(now), stage.stats.table, stage.seconds, stage.stats.rows_out, stage.stats.quarantined);
  }
  const auto results = store.results();
  const size_t failed = static_cast<size_t>(std::ranges::count(results, std::string("fail"), &quality::CheckResult::status));
  spdlog::info("quality: {} checks on the written partitions, {} failed", results.size(), failed);
  for (const auto& held : store.held()) {
    fmt::print(stderr, "held: {} dt={} failed an error-level check and was not published; see `cryptolake quality`, "
               "inspect {}, or publish it with `etl --force`\n", held.table, held.dt, held.path);
  }
  return stages;
}

int run_pipeline_and_report(Context& context, bool json, PipelineOptions options) {
  auto stages = run_pipeline(context, options);
  if (!stages) return report_error(stages.error());
  fmt::print("{}", json ? summary_json(*stages) + "\n" : format_summary(*stages));
  return 0;
}

std::string format_summary(const std::vector<StageResult>& stages) {
  std::string out = fmt::format("{:<18} {:>10} {:>10} {:>11} {:>11} {:>10} {:>8}\n", "table", "records in", "rows out",
                                "duplicates", "quarantined", "partitions", "seconds");
  size_t skipped = 0, unchanged = 0;
  for (const StageResult& s : stages) {
    unchanged += s.stats.unchanged;
    out += fmt::format("{:<18} {:>10} {:>10} {:>11} {:>11} {:>10} {:>8.2f}\n", s.stats.table, s.stats.records_in,
                       s.stats.rows_out, s.stats.duplicates, s.stats.quarantined, s.stats.partitions, s.seconds);
    skipped += s.stats.skipped;
  }
  if (unchanged > 0) out += fmt::format("({} derived partitions were left as they were: their inputs had not changed)\n", unchanged);
  if (skipped > 0) out += fmt::format("({} candles still open when received were left out; a later poll brings them closed)\n", skipped);
  return out;
}

std::string summary_json(const std::vector<StageResult>& stages) {
  std::string out = "[";
  for (size_t i = 0; i < stages.size(); ++i) {
    const auto& s = stages[i].stats;
    out += fmt::format(
        "{}{{\"table\":\"{}\",\"records_in\":{},\"rows_out\":{},\"duplicates\":{},\"quarantined\":{},"
        "\"skipped_open\":{},\"partitions\":{},\"raw_bytes\":{},\"seconds\":{:.3f}}}",
        i ? "," : "", s.table, s.records_in, s.rows_out, s.duplicates, s.quarantined, s.skipped, s.partitions, s.bytes,
        stages[i].seconds);
  }
  return out + "]";
}

}  // namespace cryptolake::cli
