// `cryptolake ingest coingecko|coincap|rates`: the non-exchange market sources, each through a
// ServiceSession (rate governor, retries, raw zone first), then the transform.
#include <cstdlib>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/pipeline.hpp"
#include "core/decimal.hpp"
#include "lake/checkpoint_objects.hpp"
#include "lake/raw_zone.hpp"
#include "sources/coincap/assets_fetch.hpp"
#include "sources/coingecko/market_chart_fetch.hpp"
#include "sources/rates/rates_poll.hpp"
#include "sources/social/reddit_listing.hpp"
#include "sources/social/x_search.hpp"

namespace cryptolake::cli {

namespace {

using core::Timestamp;

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  for (const auto& part : CLI::detail::split(text, ',')) {
    std::string item = CLI::detail::trim_copy(part);
    if (!item.empty()) items.push_back(std::move(item));
  }
  return items;
}

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

int finish(Context& ctx, bool no_etl, bool json, std::string_view service) {
  record_rate_limit_waits(ctx, service);
  return no_etl ? 0 : run_pipeline_and_report(ctx, json);
}

struct ServiceFlags {
  std::string items, vs = "usd", from, to, base_url;
  std::string days = "30";  // a count, or "max" (all history, daily)
  bool list = false, history = false, no_etl = false;
  std::string every = "60s";
  int count = 1;
  std::string query, fallback_query, user_agent = "linux:cryptolake:0.1 (by /u/cryptolake)";
  std::string bpi_url;
  int pages = 10;
};

// One session of `endpoint` landing in the lake's raw zone.
struct LakeSession {
  LakeSession(Context& ctx, sources::ServiceEndpoint endpoint)
      : raw(ctx.store()), session(ctx.http(), ctx.governor(ctx.config().binance.backfill_share), ctx.clock(), raw, std::move(endpoint)) {}
  lake::RawZoneWriter raw;
  sources::ServiceSession session;
};

int run_coingecko(Context& ctx, const ServiceFlags& flags, bool json) {
  const auto& config = ctx.config().coingecko;
  LakeSession lake(ctx, sources::coingecko::coingecko_endpoint(flags.base_url.empty() ? config.base_url : flags.base_url,
                                                               config.calls_per_minute, env_or_empty("COINGECKO_API_KEY"),
                                                               std::getenv("COINGECKO_PRO") != nullptr));
  sources::coingecko::MarketChartRequest request{split_list(flags.items), flags.vs, flags.days, std::nullopt, ctx.clock().now(), flags.list};
  if (!flags.from.empty() && !(request.from = Timestamp::parse_iso(flags.from))) {
    return report_error({core::ErrorCode::invalid_argument, "--from/--to must be dates"});
  }
  if (!flags.to.empty()) {
    const auto to = Timestamp::parse_iso(flags.to);
    if (!to) return report_error({core::ErrorCode::invalid_argument, "--from/--to must be dates"});
    request.to = *to;
  }
  auto fetched = sources::coingecko::fetch_market_charts(lake.session, request, interrupt_token());
  if (!fetched) return report_error(fetched.error());
  if (fetched->listed_coins) fmt::print(stderr, "coingecko: {} coin ids landed in {}\n", *fetched->listed_coins, fetched->list_key);
  fmt::print(stderr, "coingecko: {} requests\n", lake.session.requests());
  return finish(ctx, flags.no_etl, json, "coingecko");
}

int run_coincap(Context& ctx, const ServiceFlags& flags, bool json) {
  const auto& config = ctx.config().coincap;
  LakeSession lake(ctx, sources::coincap::coincap_endpoint(flags.base_url.empty() ? config.base_url : flags.base_url,
                                                           config.calls_per_minute, env_or_empty("COINCAP_API_KEY")));
  auto fetched = sources::coincap::fetch_assets(lake.session, split_list(flags.items), flags.history, interrupt_token());
  if (!fetched) return report_error(fetched.error());
  fmt::print(stderr, "coincap: {} requests\n", lake.session.requests());
  return finish(ctx, flags.no_etl, json, "coincap");
}

int run_rates(Context& ctx, const ServiceFlags& flags, bool json) {
  const auto every = core::parse_int(flags.every.substr(0, flags.every.find_first_not_of("0123456789")));
  if (!every || *every <= 0) return report_error({core::ErrorCode::invalid_argument, "--every takes seconds, like 60s"});
  lake::RawZoneWriter raw(ctx.store());
  io::RateGovernor& governor = ctx.governor(ctx.config().binance.backfill_share);
  const std::string coinbase_url = flags.base_url.empty() ? ctx.config().rates.coinbase_url : flags.base_url;
  sources::ServiceSession coinbase(ctx.http(), governor, ctx.clock(), raw, sources::service_endpoint("coinbase", coinbase_url, 100));
  const std::string bpi_url = flags.bpi_url.empty() ? ctx.config().rates.bpi_url : flags.bpi_url;
  std::optional<sources::rates::BpiMirror> mirror;
  std::optional<sources::ServiceSession> bpi;
  if (!bpi_url.empty()) {
    auto parsed = sources::rates::bpi_mirror(bpi_url);
    if (!parsed) return report_error(parsed.error());
    mirror = std::move(*parsed);
    bpi.emplace(ctx.http(), governor, ctx.clock(), raw, sources::service_endpoint("bpi", mirror->origin, 60));
  }
  const auto report = sources::rates::poll_rates(
      coinbase, bpi ? &*bpi : nullptr, mirror ? &*mirror : nullptr, {flags.count, *every}, ctx.clock(),
      [](std::string_view source, std::string_view why) { fmt::print(stderr, "rates: {} failed: {}\n", source, why); }, interrupt_token());
  if (report.landed == 0) {
    return report_error({core::ErrorCode::unavailable, fmt::format("rates: no source answered ({} failed polls)", report.failed)});
  }
  if (const int code = finish(ctx, flags.no_etl, json, "rates"); code != 0) return code;
  if (report.failed > 0) {
    fmt::print(stderr, "rates: {} poll(s) landed, {} failed\n", report.landed, report.failed);
    return 3;
  }
  return 0;
}

int run_x(Context& ctx, const ServiceFlags& flags, bool json) {
  std::string token = env_or_empty("X_BEARER_TOKEN");
  if (token.empty()) token = env_or_empty("TWITTER_BEARER_TOKEN");
  if (token.empty()) return report_error({core::ErrorCode::invalid_argument, "set X_BEARER_TOKEN to an X API bearer token"});
  if (flags.query.empty()) return report_error({core::ErrorCode::invalid_argument, "give --query, e.g. '$BTC OR bitcoin'"});
  LakeSession lake(ctx, sources::social::x_endpoint(flags.base_url.empty() ? "https://api.x.com" : flags.base_url, token));
  lake::CheckpointObjects checkpoints(ctx.store());
  auto found = sources::social::search_recent(lake.session, checkpoints, {flags.query, flags.fallback_query, flags.pages}, interrupt_token());
  if (!found) return report_error(found.error());
  if (!found->refused_cashtags.empty()) {
    fmt::print(stderr, "x: the cashtag operator was refused ({}); searching {} instead\n", found->refused_cashtags, found->query_used);
  }
  fmt::print(stderr, "x: {} requests, {} posts{}\n", lake.session.requests(), found->posts,
             found->newer_than_last_run ? " newer than the last run" : "");
  return finish(ctx, flags.no_etl, json, "x");
}

int run_reddit(Context& ctx, const ServiceFlags& flags, bool json) {
  const auto subs = split_list(flags.items);
  if (subs.empty()) return report_error({core::ErrorCode::invalid_argument, "give --subreddits, e.g. CryptoCurrency,Bitcoin"});
  LakeSession lake(ctx, sources::social::reddit_endpoint(flags.base_url, env_or_empty("REDDIT_TOKEN"), flags.user_agent));
  auto posts = sources::social::fetch_new_posts(lake.session, subs, flags.pages, interrupt_token());
  if (!posts) return report_error(posts.error());
  fmt::print(stderr, "reddit: {} requests, {} posts\n", lake.session.requests(), *posts);
  return finish(ctx, flags.no_etl, json, "reddit");
}

}  // namespace

void add_service_ingest_commands(CLI::App& ingest, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<ServiceFlags>();
  const auto run = [&global, &exit_code, flags](int (*fn)(Context&, const ServiceFlags&, bool)) {
    return [&global, &exit_code, flags, fn] {
      auto context = Context::create_writer(global, "ingest");
      if (!context) { exit_code = report_error(context.error()); return; }
      exit_code = fn(**context, *flags, global.json);
    };
  };
  auto* coingecko = ingest.add_subcommand("coingecko", "CoinGecko market charts (price, market cap, volume) → coin_stats");
  coingecko->footer(
      "Granularity is CoinGecko's: 5-minute up to 1 day, hourly for 2-90 days, daily beyond; --from asks\n"
      "/market_chart/range in 90-day windows to keep hourly data. COINGECKO_API_KEY (and COINGECKO_PRO=1) send a key.\n"
      "Examples:\n"
      "  cryptolake ingest coingecko --coins bitcoin,ethereum --days 30\n"
      "  cryptolake ingest coingecko --coins bitcoin --from 2023-01-01 --to 2024-01-01\n"
      "  cryptolake ingest coingecko --list --no-etl");
  coingecko->add_option("--coins", flags->items, "Comma-separated CoinGecko ids (bitcoin,ethereum)");
  coingecko->add_option("--days", flags->days, "Days of history for market_chart (default 30), or max for all of it (daily)")
      ->check([](const std::string& days) {
        const auto n = core::parse_int(days);
        return days == "max" || (n && *n >= 1) ? std::string() : std::string("--days takes a number of days or max");
      });
  coingecko->add_option("--from", flags->from, "Start of a long history (uses /market_chart/range)");
  coingecko->add_option("--to", flags->to, "End of that history (default now)");
  coingecko->add_option("--vs", flags->vs, "Quote currency (default usd)");
  coingecko->add_flag("--list", flags->list, "Also land /coins/list (every coin id)");
  coingecko->add_option("--base-url", flags->base_url, "API base (default coingecko.base_url)");
  coingecko->add_flag("--no-etl", flags->no_etl, "Only land raw data");
  coingecko->callback(run(&run_coingecko));

  auto* coincap = ingest.add_subcommand("coincap", "CoinCap v3 assets (and hourly history) → market_ticks");
  coincap->footer(
      "CoinCap v3 needs an API key: COINCAP_API_KEY is sent as a Bearer token.\n"
      "Examples:\n"
      "  cryptolake ingest coincap                      # the top assets now\n"
      "  cryptolake ingest coincap --assets bitcoin,ethereum --history");
  coincap->add_option("--assets", flags->items, "Comma-separated CoinCap ids (default: the top assets)");
  coincap->add_flag("--history", flags->history, "Also land each asset's hourly history");
  coincap->add_option("--base-url", flags->base_url, "API base (default coincap.base_url)");
  coincap->add_flag("--no-etl", flags->no_etl, "Only land raw data");
  coincap->callback(run(&run_coincap));

  auto* rates = ingest.add_subcommand("rates", "Bitcoin exchange rates in many currencies (Coinbase; BPI-shaped mirrors) → market_ticks");
  rates->footer(
      "Examples:\n"
      "  cryptolake ingest rates                          # one poll\n"
      "  cryptolake ingest rates --every 60s --count 0    # every minute until Ctrl-C\n"
      "  cryptolake ingest rates --bpi-url https://mirror.example/v1/bpi/currentprice.json");
  rates->add_option("--every", flags->every, "Seconds between polls (default 60s)");
  rates->add_option("--count", flags->count, "Polls to make; 0 = until Ctrl-C (default 1)");
  rates->add_option("--base-url", flags->base_url, "Coinbase API base (default rates.coinbase_url)");
  rates->add_option("--bpi-url", flags->bpi_url, "Also poll a CoinDesk BPI currentprice.json mirror");
  rates->add_flag("--no-etl", flags->no_etl, "Only land raw data");
  rates->callback(run(&run_rates));

  auto* x = ingest.add_subcommand("x", "X (Twitter) API v2 recent search → posts (bearer token in X_BEARER_TOKEN)");
  x->footer(
      "Pages with next_token; later runs ask only for posts newer than the last (since_id). When the cashtag\n"
      "operator is refused (it needs a paid tier), $TAG becomes #TAG or --fallback-query is used.\n"
      "Examples:\n"
      "  X_BEARER_TOKEN=… cryptolake ingest x --query '$BTC OR bitcoin' --pages 5\n"
      "  cryptolake ingest x --query '$ETH lang:en -is:retweet' --fallback-query '(#ETH OR ethereum) lang:en'");
  x->add_option("--query", flags->query, "Search query (X syntax)")->required();
  x->add_option("--fallback-query", flags->fallback_query, "Query to use when the cashtag operator is refused");
  x->add_option("--pages", flags->pages, "Pages of up to 100 posts (default 10)");
  x->add_option("--base-url", flags->base_url, "API base (default https://api.x.com)");
  x->add_flag("--no-etl", flags->no_etl, "Only land raw data");
  x->callback(run(&run_x));

  auto* reddit = ingest.add_subcommand("reddit", "Reddit /r/<sub>/new listings → posts");
  reddit->footer(
      "Without REDDIT_TOKEN (an OAuth bearer token) Reddit allows 10 requests a minute; with it 100.\n"
      "Examples:\n"
      "  cryptolake ingest reddit --subreddits CryptoCurrency,Bitcoin --pages 3\n"
      "  cryptolake ingest reddit --subreddits ethtrader --user-agent 'linux:myapp:1.0 (by /u/me)'");
  reddit->add_option("--subreddits", flags->items, "Comma-separated subreddits")->required();
  reddit->add_option("--pages", flags->pages, "Pages of up to 100 posts per subreddit (default 10)");
  reddit->add_option("--user-agent", flags->user_agent, "User-Agent as Reddit asks: <platform>:<app id>:<version> (by /u/<name>)");
  reddit->add_option("--base-url", flags->base_url, "API base (default www.reddit.com, or oauth.reddit.com with REDDIT_TOKEN)");
  reddit->add_flag("--no-etl", flags->no_etl, "Only land raw data");
  reddit->callback(run(&run_reddit));
}

}  // namespace cryptolake::cli
