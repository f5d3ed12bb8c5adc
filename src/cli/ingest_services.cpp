// `cryptolake ingest coingecko|coincap|rates`: the non-exchange market sources, each through a
// ServiceSession (rate governor, retries, raw zone first), then the transform.
#include <cstdlib>

#include <fmt/format.h>
#include <simdjson.h>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/pipeline.hpp"
#include "core/decimal.hpp"
#include "core/hash.hpp"
#include "core/json_text.hpp"
#include "lake/raw_zone.hpp"
#include "sources/coingecko/coingecko_parser.hpp"
#include "sources/service_session.hpp"
#include "lake/layout.hpp"

namespace cryptolake::cli {

namespace {

using core::Timestamp;

sources::ServiceEndpoint endpoint(std::string source, std::string base_url, int64_t per_minute) {
  sources::ServiceEndpoint e;
  e.source = source;
  e.base_url = std::move(base_url);
  while (e.base_url.ends_with('/')) e.base_url.pop_back();
  e.budget.service = std::move(source);
  e.budget.per_minute = per_minute;
  return e;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  for (const auto& part : CLI::detail::split(text, ',')) {
    std::string item = CLI::detail::trim_copy(part);
    if (!item.empty()) items.push_back(std::move(item));
  }
  return items;
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

int run_coingecko(Context& ctx, const ServiceFlags& flags, bool json) {
  auto e = endpoint("coingecko", flags.base_url.empty() ? ctx.config().coingecko.base_url : flags.base_url,
                    ctx.config().coingecko.calls_per_minute);
  if (const char* key = std::getenv("COINGECKO_API_KEY")) {
    e.headers.emplace_back(std::getenv("COINGECKO_PRO") ? "x-cg-pro-api-key" : "x-cg-demo-api-key", key);
  }
  lake::RawZoneWriter raw(ctx.store());
  sources::ServiceSession session(ctx.http(), ctx.governor(ctx.config().binance.backfill_share), ctx.clock(), raw, e);
  const std::stop_token stop = interrupt_token();
  if (flags.list) {
    auto fetched = session.get("/coins/list", 1, io::Priority::backfill, "coins_list", R"({"endpoint":"/coins/list"})", stop);
    if (!fetched) return report_error(fetched.error());
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(fetched->response.body).get(doc)) return report_error({core::ErrorCode::corrupt_data, "coins/list: not JSON"});
    auto coins = sources::coingecko::parse_coins_list(doc);
    if (!coins) return report_error(coins.error());
    fmt::print(stderr, "coingecko: {} coin ids landed in {}\n", coins->size(), fetched->raw_key);
  }
  const auto from = flags.from.empty() ? std::nullopt : Timestamp::parse_iso(flags.from);
  const auto to = flags.to.empty() ? std::optional<Timestamp>(ctx.clock().now()) : Timestamp::parse_iso(flags.to);
  if ((!flags.from.empty() && !from) || !to) return report_error({core::ErrorCode::invalid_argument, "--from/--to must be dates"});
  for (const std::string& coin : split_list(flags.items)) {
    std::vector<std::pair<std::string, std::string>> requests;  // path, request json
    const std::string id = io::url_encode(coin);
    if (from) {
      // Long hourly histories: /market_chart/range in windows of at most 90 days.
      for (const auto& [a, b] : sources::coingecko::hourly_windows(*from, *to)) {
        requests.emplace_back(fmt::format("/coins/{}/market_chart/range?vs_currency={}&from={}&to={}", id, flags.vs,
                                          a.micros() / 1'000'000, b.micros() / 1'000'000),
                              fmt::format(R"({{"endpoint":"/coins/{{id}}/market_chart/range","coin":{},"vs_currency":"{}","from":{},"to":{}}})",
                                          core::json_string(coin), flags.vs, a.micros() / 1'000'000, b.micros() / 1'000'000));
      }
    } else {
      requests.emplace_back(fmt::format("/coins/{}/market_chart?vs_currency={}&days={}", id, io::url_encode(flags.vs), flags.days),
                            fmt::format(R"({{"endpoint":"/coins/{{id}}/market_chart","coin":{},"vs_currency":{},"days":{}}})",
                                        core::json_string(coin), core::json_string(flags.vs), core::json_string(flags.days)));
    }
    for (auto& [path, request] : requests) {
      auto fetched = session.get(path, 1, io::Priority::backfill, "market_chart", request, stop);
      if (!fetched) return report_error(fetched.error());
    }
  }
  fmt::print(stderr, "coingecko: {} requests\n", session.requests());
  return finish(ctx, flags.no_etl, json, "coingecko");
}

int run_coincap(Context& ctx, const ServiceFlags& flags, bool json) {
  auto e = endpoint("coincap", flags.base_url.empty() ? ctx.config().coincap.base_url : flags.base_url,
                    ctx.config().coincap.calls_per_minute);
  if (const char* key = std::getenv("COINCAP_API_KEY")) e.headers.emplace_back("Authorization", fmt::format("Bearer {}", key));
  lake::RawZoneWriter raw(ctx.store());
  sources::ServiceSession session(ctx.http(), ctx.governor(ctx.config().binance.backfill_share), ctx.clock(), raw, e);
  const std::stop_token stop = interrupt_token();
  const auto ids = split_list(flags.items);
  std::string path = "/assets";
  if (!ids.empty()) path += "?ids=" + io::url_encode(flags.items);
  auto assets = session.get(path, 1, io::Priority::live, "assets", R"({"endpoint":"/assets"})", stop);
  if (!assets) return report_error(assets.error());
  if (flags.history) {
    // History items do not name their asset: take each id's symbol from the /assets answer.
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(assets->response.body).get(doc)) return report_error({core::ErrorCode::corrupt_data, "/assets: not JSON"});
    simdjson::dom::array data;
    if (doc["data"].get_array().get(data)) return report_error({core::ErrorCode::corrupt_data, "/assets: no data array"});
    for (simdjson::dom::element asset : data) {
      std::string_view id, symbol;
      if (asset["id"].get_string().get(id) || asset["symbol"].get_string().get(symbol)) continue;
      const std::string request = fmt::format(R"({{"endpoint":"/assets/{{id}}/history","id":{},"symbol":{},"interval":"h1"}})",
                                              core::json_string(id), core::json_string(symbol));
      auto history = session.get(fmt::format("/assets/{}/history?interval=h1", io::url_encode(id)), 1, io::Priority::backfill,
                                 "asset_history", request, stop);
      if (!history) return report_error(history.error());
    }
  }
  fmt::print(stderr, "coincap: {} requests\n", session.requests());
  return finish(ctx, flags.no_etl, json, "coincap");
}

int run_rates(Context& ctx, const ServiceFlags& flags, bool json) {
  const auto every = core::parse_int(flags.every.substr(0, flags.every.find_first_not_of("0123456789")));
  if (!every || *every <= 0) return report_error({core::ErrorCode::invalid_argument, "--every takes seconds, like 60s"});
  lake::RawZoneWriter raw(ctx.store());
  io::RateGovernor& governor = ctx.governor(ctx.config().binance.backfill_share);
  const std::string coinbase_url = flags.base_url.empty() ? ctx.config().rates.coinbase_url : flags.base_url;
  sources::ServiceSession coinbase(ctx.http(), governor, ctx.clock(), raw, endpoint("coinbase", coinbase_url, 100));
  // A BPI mirror is one URL: its origin for the session, its path for each poll.
  const std::string bpi_url = flags.bpi_url.empty() ? ctx.config().rates.bpi_url : flags.bpi_url;
  const size_t bpi_path_at = bpi_url.empty() ? std::string::npos : bpi_url.find('/', bpi_url.find("://") + 3);
  const std::string bpi_path = bpi_path_at == std::string::npos ? "/" : bpi_url.substr(bpi_path_at);
  std::optional<sources::ServiceSession> bpi;
  if (!bpi_url.empty()) bpi.emplace(ctx.http(), governor, ctx.clock(), raw, endpoint("bpi", bpi_url.substr(0, bpi_path_at), 60));
  const std::stop_token stop = interrupt_token();
  // Each source is polled on its own: one that fails is reported and does not stop the others.
  size_t landed = 0, failed = 0;
  const auto poll = [&](sources::ServiceSession& session, std::string_view path, std::string_view dataset, std::string request) {
    auto fetched = session.get(path, 1, io::Priority::live, dataset, std::move(request), stop);
    if (fetched) {
      ++landed;
      return;
    }
    ++failed;
    fmt::print(stderr, "rates: {} failed: {}\n", session.endpoint().source, fetched.error().message);
  };
  for (int i = 0; (flags.count == 0 || i < flags.count) && !stop.stop_requested(); ++i) {
    const Timestamp started = ctx.clock().now();
    poll(coinbase, "/v2/exchange-rates?currency=BTC", "exchange_rates", R"({"endpoint":"/v2/exchange-rates","currency":"BTC"})");
    if (bpi) poll(*bpi, bpi_path, "currentprice", fmt::format(R"({{"url":{}}})", core::json_string(bpi_url)));
    if ((flags.count == 0 || i + 1 < flags.count) && !ctx.clock().sleep_until(started + *every * Timestamp::kMicrosPerSecond, stop)) break;
  }
  if (landed == 0) return report_error({core::ErrorCode::unavailable, fmt::format("rates: no source answered ({} failed polls)", failed)});
  if (const int code = finish(ctx, flags.no_etl, json, "rates"); code != 0) return code;
  if (failed > 0) {
    fmt::print(stderr, "rates: {} poll(s) landed, {} failed\n", landed, failed);
    return 3;
  }
  return 0;
}

// The cashtag operator needs a paid tier; without it, #TAG finds most of the same posts.
std::string cashtags_as_hashtags(std::string query) {
  for (size_t at = query.find('$'); at != std::string::npos; at = query.find('$', at + 1)) query[at] = '#';
  return query;
}

int run_x(Context& ctx, const ServiceFlags& flags, bool json) {
  const char* token = std::getenv("X_BEARER_TOKEN");
  if (token == nullptr) token = std::getenv("TWITTER_BEARER_TOKEN");
  if (token == nullptr) return report_error({core::ErrorCode::invalid_argument, "set X_BEARER_TOKEN to an X API bearer token"});
  if (flags.query.empty()) return report_error({core::ErrorCode::invalid_argument, "give --query, e.g. '$BTC OR bitcoin'"});
  auto e = endpoint("x", flags.base_url.empty() ? "https://api.x.com" : flags.base_url, 30);  // 450 per 15 min
  e.headers.emplace_back("Authorization", fmt::format("Bearer {}", token));
  lake::RawZoneWriter raw(ctx.store());
  sources::ServiceSession session(ctx.http(), ctx.governor(ctx.config().binance.backfill_share), ctx.clock(), raw, e);
  const std::stop_token stop = interrupt_token();
  std::string query = flags.query;
  const std::string checkpoint = lake::layout::checkpoint_key(fmt::format("x/{:016x}.txt", core::fnv1a(flags.query)));
  const std::string since_id = ctx.store().get(checkpoint).value_or("");
  std::string next_token, newest_id;
  size_t posts = 0;
  for (int page = 0; page < flags.pages && !stop.stop_requested(); ++page) {
    std::string path = fmt::format("/2/tweets/search/recent?query={}&max_results=100&tweet.fields=created_at,lang,public_metrics,entities,author_id",
                                   io::url_encode(query));
    if (!since_id.empty()) path += "&since_id=" + since_id;
    if (!next_token.empty()) path += "&next_token=" + io::url_encode(next_token);
    auto fetched = session.get(path, 1, io::Priority::live, "tweets",
                               fmt::format(R"({{"endpoint":"/2/tweets/search/recent","query":{},"page":{}}})", core::json_string(query), page), stop);
    if (!fetched && page == 0 && query.find('$') != std::string::npos && fetched.error().message.find("HTTP 400") != std::string::npos) {
      query = flags.fallback_query.empty() ? cashtags_as_hashtags(query) : flags.fallback_query;
      fmt::print(stderr, "x: the cashtag operator was refused ({}); searching {} instead\n", fetched.error().message, query);
      --page;
      continue;
    }
    if (!fetched) return report_error(fetched.error());
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(fetched->response.body).get(doc)) break;  // landed; the transform quarantines it
    int64_t count = 0;
    if (doc.at_pointer("/meta/result_count").get_int64().get(count) != simdjson::SUCCESS) count = 0;
    posts += static_cast<size_t>(count);
    std::string_view value;
    if (page == 0 && doc.at_pointer("/meta/newest_id").get_string().get(value) == simdjson::SUCCESS) newest_id = value;
    if (doc.at_pointer("/meta/next_token").get_string().get(value) != simdjson::SUCCESS) break;
    next_token = value;
  }
  // Next time, ask only for what is newer than this run's newest post.
  if (!newest_id.empty()) {
    if (auto status = ctx.store().put(checkpoint, newest_id); !status) return report_error(status.error());
  }
  fmt::print(stderr, "x: {} requests, {} posts{}\n", session.requests(), posts, since_id.empty() ? "" : " newer than the last run");
  return finish(ctx, flags.no_etl, json, "x");
}

int run_reddit(Context& ctx, const ServiceFlags& flags, bool json) {
  const char* token = std::getenv("REDDIT_TOKEN");
  std::string base = flags.base_url.empty() ? (token ? "https://oauth.reddit.com" : "https://www.reddit.com") : flags.base_url;
  auto e = endpoint("reddit", base, token ? 100 : 10);  // per OAuth client, or per IP without
  e.headers.emplace_back("User-Agent", flags.user_agent);
  if (token) e.headers.emplace_back("Authorization", fmt::format("Bearer {}", token));
  lake::RawZoneWriter raw(ctx.store());
  sources::ServiceSession session(ctx.http(), ctx.governor(ctx.config().binance.backfill_share), ctx.clock(), raw, e);
  const std::stop_token stop = interrupt_token();
  const auto subs = split_list(flags.items);
  if (subs.empty()) return report_error({core::ErrorCode::invalid_argument, "give --subreddits, e.g. CryptoCurrency,Bitcoin"});
  size_t posts = 0;
  for (const std::string& sub : subs) {
    std::string after;
    for (int page = 0; page < flags.pages && !stop.stop_requested(); ++page) {
      std::string path = fmt::format("/r/{}/new.json?limit=100&raw_json=1", io::url_encode(sub));
      if (!after.empty()) path += "&after=" + io::url_encode(after);
      auto fetched = session.get(path, 1, io::Priority::live, "reddit_new",
                                 fmt::format(R"({{"endpoint":"/r/{{sub}}/new.json","subreddit":{},"after":{}}})", core::json_string(sub),
                                             core::json_string(after)), stop);
      if (!fetched) return report_error(fetched.error());
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      if (parser.parse(fetched->response.body).get(doc)) break;
      simdjson::dom::array children;
      if (doc.at_pointer("/data/children").get_array().get(children) == simdjson::SUCCESS) posts += children.size();
      std::string_view next;
      if (doc.at_pointer("/data/after").get_string().get(next) != simdjson::SUCCESS || next.empty()) break;
      after = next;
    }
  }
  fmt::print(stderr, "reddit: {} requests, {} posts\n", session.requests(), posts);
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
