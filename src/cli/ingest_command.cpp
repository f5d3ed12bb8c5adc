// `cryptolake ingest <source>`: collect from live services into the raw zone, then transform.
#include <chrono>
#include <cstdlib>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/pipeline.hpp"
#include "cli/progress.hpp"
#include "core/market.hpp"
#include <set>

#include <simdjson.h>

#include "analytics/kline_gaps.hpp"
#include "lake/raw_zone.hpp"
#include "lake/checkpoint_objects.hpp"
#include "sources/binance/ticker_parser.hpp"
#include "sources/binance/kline_backfill.hpp"

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
  const int64_t step = core::interval_micros(targets.front().interval);
  int64_t total_requests = 0;
  fmt::print("{:<10} {:<8} {:<22} {:<22} {:>10} {:>9} {:>7}\n", "symbol", "interval", "from", "to", "candles", "requests", "weight");
  for (const auto& t : targets) {
    const Timestamp from = std::max(t.since, sources::binance::read_checkpoint(lake::CheckpointObjects(ctx.store()), t.symbol, t.interval).value_or(t.since));
    const Timestamp to = t.until.value_or(now);
    const int64_t candles = step > 0 ? std::max<int64_t>(0, (to - from) / step) : std::max<int64_t>(0, (to - from) / (30 * Timestamp::kMicrosPerDay));
    const int64_t requests = candles / sources::binance::kKlinesPageLimit + 1;
    total_requests += requests;
    fmt::print("{:<10} {:<8} {:<22} {:<22} {:>10} {:>9} {:>7}\n", t.symbol.exchange(), t.interval, from.iso().substr(0, 19),
               to.iso().substr(0, 19), candles, requests, requests * sources::binance::kKlinesWeight);
  }
  const double budget = static_cast<double>(ctx.config().binance.weight_per_minute) * ctx.config().binance.backfill_share;
  fmt::print("total: {} requests, weight {}; at least {:.1f} minutes at {:.0f} weight/minute (backfill share of {})\n",
             total_requests, total_requests * sources::binance::kKlinesWeight,
             static_cast<double>(total_requests * sources::binance::kKlinesWeight) / budget, budget,
             ctx.config().binance.weight_per_minute);
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
    const std::string request = fmt::format(
        R"({{"method":"GET","endpoint":"/api/v3/klines","symbol":"{}","interval":"{}","startTime":{},"endTime":{},"limit":1000,"repair":true}})",
        symbol.exchange(), gap.interval, gap.start.millis(), gap.end.millis() - 1);
    TRY(session.get(sources::binance::klines_path(symbol, gap.interval, gap.start.millis(), gap.end.millis() - 1),
                    sources::binance::kKlinesWeight, io::Priority::backfill, "klines", request, stop));
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
  io::Priority priority = io::Priority::backfill;
  do {
    size_t done = 0;
    ProgressLine progress(fmt::format("binance {}", flags.interval));
    for (const auto& target : *targets) {
      const auto result = sources::binance::backfill_klines(
          session, checkpoints, target, priority,
          [&](const sources::binance::KlineTarget& t, int64_t rows, Timestamp reached) {
            total_rows += rows;
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            const Timestamp end = t.until.value_or(clock.now());
            const double share = std::clamp(static_cast<double>(reached - t.since) / std::max<int64_t>(1, end - t.since), 0.0, 1.0);
            const double overall = (static_cast<double>(done) + share) / static_cast<double>(targets->size());
            const double eta = overall > 0 ? seconds * (1 - overall) / overall : 0;
            progress.update(done * 1000 + static_cast<size_t>(share * 1000), targets->size() * 1000,
                            fmt::format("{} {} · {} rows · {:.0f} rows/s · ETA {:.0f} s · weight {}/{}", t.symbol.exchange(),
                                        reached.iso().substr(0, 16), total_rows, total_rows / std::max(seconds, 1e-3), eta,
                                        ctx.governor(config.backfill_share).used_this_minute(session.endpoint().budget),
                                        config.weight_per_minute));
          },
          stop);
      ++done;
      if (!result) {
        if (stop.stop_requested()) break;
        return report_error(result.error());
      }
    }
    if (flags.follow && !stop.stop_requested()) {
      // Keep up: the next candle closes at the next interval boundary; ask just after it.
      priority = io::Priority::live;
      const int64_t step = std::max<int64_t>(core::interval_micros(flags.interval), Timestamp::kMicrosPerSecond);
      const Timestamp now = clock.now();
      const Timestamp next = Timestamp::from_micros((now.micros() / step + 1) * step) + 2 * Timestamp::kMicrosPerSecond;
      for (auto& t : *targets) t.since = sources::binance::read_checkpoint(checkpoints, t.symbol, t.interval).value_or(t.since);
      if (!clock.sleep_until(next, stop)) break;
    }
  } while (flags.follow && !stop.stop_requested());
  if (flags.tickers && !stop.stop_requested()) {
    // ticker/24hr: weight 2 per symbol up to 20 symbols, 40 up to 100, 80 beyond.
    std::string list;
    size_t count = 0;
    for (const auto& part : CLI::detail::split(flags.symbols, ',')) {
      auto symbol = core::Symbol::parse(CLI::detail::trim_copy(part));
      if (!symbol) return report_error(symbol.error());
      list += fmt::format("{}\"{}\"", count++ ? "," : "", symbol->exchange());
    }
    const int64_t weight = count <= 20 ? 2 * static_cast<int64_t>(count) : count <= 100 ? 40 : 80;
    auto fetched = session.get("/api/v3/ticker/24hr?symbols=" + io::url_encode("[" + list + "]"), weight, io::Priority::live,
                               "ticker_24hr", fmt::format(R"({{"endpoint":"/api/v3/ticker/24hr","symbols":[{}]}})", list), stop);
    if (!fetched) return report_error(fetched.error());
  }
  if (flags.exchange_info && !stop.stop_requested()) {
    auto fetched = session.get("/api/v3/exchangeInfo", 20, io::Priority::live, "exchange_info",
                               R"({"endpoint":"/api/v3/exchangeInfo"})", stop);
    if (!fetched) return report_error(fetched.error());
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (!parser.parse(fetched->response.body).get(doc)) {
      if (auto symbols = sources::binance::parse_exchange_info(doc)) {
        fmt::print(stderr, "binance: exchangeInfo lists {} symbols (landed in {})\n", symbols->size(), fetched->raw_key);
      }
    }
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
