// `cryptolake ingest <source>`: collect from live services into the raw zone, then transform.
#include <chrono>
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "analytics/kline_gaps.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/pipeline.hpp"
#include "io/real/progress_line.hpp"
#include "core/market.hpp"
#include "lake/checkpoint_objects.hpp"
#include "lake/raw_zone.hpp"
#include "sources/binance/kline_follow.hpp"
#include "sources/binance/market_info_fetch.hpp"

namespace cryptolake::cli {

namespace {

using core::Timestamp;

struct BinanceFlags {
  std::string symbols;
  std::string interval = "1m";
  std::string since, until, base_url;
  bool dry_run = false;
  bool follow = false;
  bool no_etl = false;
  bool repair = false;
  bool tickers = false;
  bool exchange_info = false;
};

core::Result<std::vector<sources::binance::KlineTarget>> plan_targets(const BinanceFlags& flags, Context& ctx) {
  if (!sources::binance::is_binance_interval(flags.interval)) {
    return core::fail(core::ErrorCode::invalid_argument, "--interval {}: not a Binance interval (1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M)", flags.interval);
  }
  std::optional<Timestamp> since, until;
  if (!flags.since.empty() && !(since = Timestamp::parse_iso(flags.since))) {
    return core::fail(core::ErrorCode::invalid_argument, "--since '{}' is not a date or ISO-8601 time", flags.since);
  }
  if (!flags.until.empty() && !(until = Timestamp::parse_iso(flags.until))) {
    return core::fail(core::ErrorCode::invalid_argument, "--until '{}' is not a date or ISO-8601 time", flags.until);
  }
  std::vector<sources::binance::KlineTarget> targets;
  for (const auto& part : CLI::detail::split(flags.symbols, ',')) {
    TRY_ASSIGN(core::Symbol symbol, core::Symbol::parse(CLI::detail::trim_copy(part)));
    const auto checkpoint = sources::binance::read_checkpoint(lake::CheckpointObjects(ctx.store()), symbol, flags.interval);
    if (!since && !checkpoint && (flags.tickers || flags.exchange_info || flags.repair)) continue;  // nothing to backfill
    if (!since && !checkpoint) {
      return core::fail(core::ErrorCode::invalid_argument, "{} {}: no checkpoint yet; say where to start with --since YYYY-MM-DD",
                        symbol.exchange(), flags.interval);
    }
    targets.push_back({std::move(symbol), flags.interval, since.value_or(*checkpoint), until});
  }
  return targets;
}

void print_plan(const std::vector<sources::binance::KlineTarget>& targets, Context& ctx, Timestamp now) {
  const lake::CheckpointObjects checkpoints(ctx.store());
  int64_t total_requests = 0, total_weight = 0;
  fmt::print("{:<10} {:<8} {:<22} {:<22} {:>10} {:>9} {:>7}\n", "symbol", "interval", "from", "to", "candles", "requests", "weight");
  for (const auto& t : targets) {
    const auto plan = sources::binance::plan_backfill(t, checkpoints, now);
    total_requests += plan.requests;
    total_weight += plan.weight;
    fmt::print("{:<10} {:<8} {:<22} {:<22} {:>10} {:>9} {:>7}\n", t.symbol.exchange(), t.interval, plan.from.iso().substr(0, 19),
               plan.to.iso().substr(0, 19), plan.candles, plan.requests, plan.weight);
  }
  const double budget = static_cast<double>(ctx.config().binance.weight_per_minute) * ctx.config().binance.backfill_share;
  fmt::print("total: {} requests, weight {}; at least {:.1f} minutes at {:.0f} weight/minute (backfill share of {})\n",
             total_requests, total_weight, static_cast<double>(total_weight) / budget, budget, ctx.config().binance.weight_per_minute);
}

// Refetches every `missing` gap of these symbols once; returns the gaps asked for.
core::Result<std::vector<analytics::KlineGap>> refetch_gaps(sources::ServiceSession& session, Context& ctx,
                                                            const BinanceFlags& flags, std::stop_token stop) {
  std::vector<analytics::KlineGap> asked;
  TRY_ASSIGN(const auto ledger, analytics::read_gap_ledger(ctx.store()));
  std::set<std::string> symbols;
  for (const auto& part : CLI::detail::split(flags.symbols, ',')) {
    TRY_ASSIGN(const core::Symbol symbol, core::Symbol::parse(CLI::detail::trim_copy(part)));
    symbols.insert(symbol.canonical());
  }
  for (const analytics::KlineGap& gap : ledger) {
    if (gap.source != "binance" || gap.gap_class != "missing" || gap.interval != flags.interval || !symbols.contains(gap.symbol)) continue;
    TRY_ASSIGN(const core::Symbol symbol, core::Symbol::parse(gap.symbol));
    TRY(sources::binance::refetch_klines(session, symbol, gap.interval, gap.start, gap.end, stop));
    asked.push_back(gap);
  }
  return asked;
}

int run_binance(Context& ctx, const BinanceFlags& flags, bool json) {
  auto targets = plan_targets(flags, ctx);
  if (!targets) return report_error(targets.error());
  if (targets->empty() && !flags.tickers && !flags.exchange_info && !flags.repair) {
    return report_error({core::ErrorCode::invalid_argument, "nothing to do"});
  }
  const core::BinanceConfig& config = ctx.config().binance;
  io::Clock& clock = ctx.clock();
  if (flags.dry_run) {
    if (!targets->empty()) print_plan(*targets, ctx, clock.now());
    return 0;
  }
  std::string api_key = config.api_key;
  if (const char* env = std::getenv("BINANCE_API_KEY")) api_key = env;
  lake::RawZoneWriter raw(ctx.store());
  lake::CheckpointObjects checkpoints(ctx.store());
  sources::ServiceSession session(ctx.http(), ctx.governor(config.backfill_share), clock, raw,
                                  sources::binance::binance_endpoint(flags.base_url.empty() ? config.base_url : flags.base_url,
                                                                     config.weight_per_minute, api_key));
  const std::stop_token stop = interrupt_token();
  const auto started = std::chrono::steady_clock::now();
  int64_t total_rows = 0;
  std::optional<io::ProgressLine> progress(std::in_place, fmt::format("binance {}", flags.interval));
  const size_t count = targets->size();
  const auto collected = sources::binance::collect_klines(
      session, checkpoints, *targets, flags.follow, clock,
      [&](size_t done, const sources::binance::KlineTarget& t, int64_t rows, Timestamp reached) {
        total_rows += rows;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const Timestamp end = t.until.value_or(clock.now());
        const double share = std::clamp(static_cast<double>(reached - t.since) / std::max<int64_t>(1, end - t.since), 0.0, 1.0);
        const double overall = (static_cast<double>(done) + share) / static_cast<double>(count);
        const double eta = overall > 0 ? seconds * (1 - overall) / overall : 0;
        progress->update(done * 1000 + static_cast<size_t>(share * 1000), count * 1000,
                        fmt::format("{} {} · {} rows · {:.0f} rows/s · ETA {:.0f} s · weight {}/{}", t.symbol.exchange(),
                                    reached.iso().substr(0, 16), total_rows, total_rows / std::max(seconds, 1e-3), eta,
                                    ctx.governor(config.backfill_share).used_this_minute(session.endpoint().budget),
                                    config.weight_per_minute));
      },
      stop);
  progress.reset();  // the line is done before other messages
  if (!collected) return report_error(collected.error());
  if (flags.tickers && !stop.stop_requested()) {
    std::vector<core::Symbol> symbols;
    for (const auto& part : CLI::detail::split(flags.symbols, ',')) {
      auto symbol = core::Symbol::parse(CLI::detail::trim_copy(part));
      if (!symbol) return report_error(symbol.error());
      symbols.push_back(std::move(*symbol));
    }
    if (auto fetched = sources::binance::fetch_tickers_24hr(session, symbols, stop); !fetched) return report_error(fetched.error());
  }
  if (flags.exchange_info && !stop.stop_requested()) {
    auto fetched = sources::binance::fetch_exchange_info(session, stop);
    if (!fetched) return report_error(fetched.error());
    if (fetched->symbols) fmt::print(stderr, "binance: exchangeInfo lists {} symbols (landed in {})\n", *fetched->symbols, fetched->raw_key);
  }
  std::vector<analytics::KlineGap> refetched;
  if (flags.repair && !stop.stop_requested()) {
    auto asked = refetch_gaps(session, ctx, flags, stop);
    if (!asked) return report_error(asked.error());
    refetched = std::move(*asked);
    fmt::print(stderr, "binance: refetched {} gap(s)\n", refetched.size());
  }
  fmt::print(stderr, "binance: {} requests, weight {}, {} candles received{}\n", session.requests(),
             session.weight_spent(), total_rows, stop.stop_requested() ? " (interrupted; the checkpoints are saved)" : "");
  record_rate_limit_waits(ctx, "binance");
  if (flags.no_etl) return 0;
  auto stages = run_pipeline(ctx);
  if (!stages) return report_error(stages.error());
  if (!refetched.empty()) {
    // What the exchange still does not serve after being asked again is an upstream gap.
    auto ledger = analytics::read_gap_ledger(ctx.store());
    if (!ledger) return report_error(ledger.error());
    analytics::mark_refetched(*ledger, refetched);
    if (auto status = analytics::write_gap_ledger(ctx.store(), *ledger); !status) return report_error(status.error());
    auto duckdb = ctx.duckdb();
    if (!duckdb) return report_error(duckdb.error());
    if (auto rebuilt = analytics::build_kline_gaps(ctx.store(), **duckdb, ctx.threads()); !rebuilt) return report_error(rebuilt.error());
  }
  fmt::print("{}", json ? summary_json(*stages) + "\n" : format_summary(*stages));
  return 0;
}

}  // namespace

void add_ingest_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("ingest", "Collect from live services into the raw zone, then transform");
  command->require_subcommand(1);
  auto flags = std::make_shared<BinanceFlags>();
  auto* binance = command->add_subcommand("binance", "Binance klines: backfill from --since, resume from checkpoints, --follow to keep up");
  binance->footer(
      "Examples:\n"
      "  cryptolake ingest binance --symbols BTCUSDT,ETHUSDT --interval 1m --since 2024-01-01\n"
      "  cryptolake ingest binance --symbols BTCUSDT --since 2020-01-01 --dry-run\n"
      "  cryptolake ingest binance --symbols BTCUSDT,ETHUSDT --follow        # resume, then keep up\n"
      "  cryptolake ingest binance --symbols BTCUSDT --since 2024-01-01 --base-url https://data-api.binance.vision\n"
      "  cryptolake ingest binance --symbols BTCUSDT,ETHUSDT --repair        # refetch the gaps `cryptolake gaps` lists\n"
      "  cryptolake ingest binance --symbols BTCUSDT,ETHUSDT --tickers       # 24h tickers → market_ticks");
  binance->add_option("--symbols", flags->symbols, "Comma-separated symbols (BTCUSDT or BTC-USDT)")->required();
  binance->add_option("--interval", flags->interval, "Kline interval, 1s … 1M (default 1m)");
  binance->add_option("--since", flags->since, "First candle to fetch (YYYY-MM-DD or ISO time); default: the checkpoint");
  binance->add_option("--until", flags->until, "Stop before this time (default: now)");
  binance->add_option("--base-url", flags->base_url, "REST base URL (default binance.base_url)");
  binance->add_flag("--dry-run", flags->dry_run, "Print the plan: requests and the weight they cost");
  binance->add_flag("--follow", flags->follow, "After catching up, keep polling each closed candle until Ctrl-C");
  binance->add_flag("--no-etl", flags->no_etl, "Only land raw data; do not run the transform");
  binance->add_flag("--repair", flags->repair, "Refetch every listed gap once; what stays missing is marked missing_upstream");
  binance->add_flag("--tickers", flags->tickers, "Also poll /api/v3/ticker/24hr for the symbols (→ market_ticks)");
  binance->add_flag("--exchange-info", flags->exchange_info, "Also land /api/v3/exchangeInfo (every symbol's base and quote)");
  add_service_ingest_commands(*command, global, exit_code);
  binance->callback([&global, &exit_code, flags] {
    auto context = flags->dry_run ? Context::create(global) : Context::create_writer(global, "ingest binance");
    if (!context) { exit_code = report_error(context.error()); return; }
    exit_code = run_binance(**context, *flags, global.json);
  });
}

}  // namespace cryptolake::cli
