// `cryptolake import <format> <files>`: bulk files into the raw zone, then transform.
#include <filesystem>
#include <mutex>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/pipeline.hpp"
#include "io/real/local_file.hpp"
#include "io/real/progress_line.hpp"
#include "core/excerpt.hpp"
#include "lake/quarantine.hpp"
#include "lake/raw_zone.hpp"
#include "sources/binance/archive_download.hpp"
#include "sources/binance/kline_backfill.hpp"
#include "sources/saved_response.hpp"
#include "sources/social/post_file_import.hpp"

namespace cryptolake::cli {

namespace fs = std::filesystem;

namespace {

struct ArchiveFlags {
  std::vector<std::string> paths;
  std::string symbol, interval, period, market = "spot";
  bool download = false, monthly = false, no_etl = false;
  std::string symbols, from, to, base_url = "https://data.binance.vision";
};


// Every file with one of `extensions` under the given files and folders, in a stable order.
// Files named explicitly are taken whatever their extension.
std::vector<fs::path> expand_paths(const std::vector<std::string>& paths, std::initializer_list<std::string_view> extensions,
                                   std::vector<std::string>& problems) {
  std::vector<fs::path> files;
  const auto wanted = [&](const fs::path& p) {
    const std::string name = p.filename().string();
    return std::ranges::any_of(extensions, [&](std::string_view ext) { return name.ends_with(ext); });
  };
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
        if (entry.is_regular_file() && wanted(entry.path())) files.push_back(entry.path());
      }
    } else if (fs::is_regular_file(path, ec)) {
      files.emplace_back(path);
    } else {
      problems.push_back(fmt::format("{}: no such file or folder", path));
    }
  }
  std::ranges::sort(files);
  return files;
}

// The --download range from the flags.
core::Result<sources::binance::ArchiveRange> archive_range(const ArchiveFlags& flags) {
  const auto from = core::Timestamp::parse_date(flags.from), to = core::Timestamp::parse_date(flags.to);
  if (!from || !to || *to < *from) return core::fail(core::ErrorCode::invalid_argument, "--download needs --from and --to dates, from ≤ to");
  sources::binance::ArchiveRange range{flags.base_url, flags.market, {}, flags.interval, *from, *to, flags.monthly};
  for (const auto& part : CLI::detail::split(flags.symbols, ',')) {
    TRY_ASSIGN(core::Symbol symbol, core::Symbol::parse(CLI::detail::trim_copy(part)));
    range.symbols.push_back(std::move(symbol));
  }
  return range;
}

int run_archive_import(Context& ctx, const ArchiveFlags& flags, bool json) {
  auto source = sources::binance::archive_source(flags.market);
  if (!source) return report_error(source.error());
  std::vector<std::string> problems;
  std::optional<core::Symbol> symbol;
  if (!flags.symbol.empty()) {
    auto parsed = core::Symbol::parse(flags.symbol);
    if (!parsed) return report_error(parsed.error());
    symbol = *parsed;
  }
  const auto make_file = [&](std::string name, std::string bytes, std::optional<std::string> checksum) {
    sources::binance::ArchiveFile file{std::move(name), std::move(bytes), std::move(checksum), symbol, std::nullopt, std::nullopt};
    if (!flags.interval.empty() && !flags.download) file.interval = flags.interval;
    if (!flags.period.empty()) file.period = flags.period;
    return file;
  };
  lake::RawZoneWriter raw(ctx.store());
  size_t landed = 0, verified = 0, wanted = 0;
  const std::stop_token stop = interrupt_token();
  if (flags.download) {
    if (flags.symbols.empty() || flags.interval.empty()) {
      return report_error({core::ErrorCode::invalid_argument, "--download needs --symbols and --interval"});
    }
    auto range = archive_range(flags);
    if (!range) return report_error(range.error());
    auto urls = sources::binance::archive_urls(*range);
    if (!urls) return report_error(urls.error());
    wanted = urls->size();
    io::ProgressLine progress("download");
    // Each file is landed as it arrives: one is held at a time, however long the range.
    const auto take = [&](sources::binance::ArchiveFile file) {
      auto result = sources::binance::land_archive(raw, *source, make_file(std::move(file.name), std::move(file.bytes), std::move(file.checksum)));
      if (!result) {
        problems.push_back(result.error().message);
        return;
      }
      ++landed;
      verified += result->checksum_verified ? 1 : 0;
    };
    // Daily files appear the day after; a missing one is reported, not fatal.
    for (std::string& problem : sources::binance::download_archives(
             ctx.http(), *urls, take, [&](size_t done, size_t total, std::string_view name) { progress.update(done, total, name); }, stop)) {
      problems.push_back(std::move(problem));
    }
  } else {
    // Read and landed on the threads, each file only when a thread takes it.
    const std::vector<fs::path> paths = expand_paths(flags.paths, {".zip", ".csv"}, problems);
    wanted = paths.size();
    std::mutex progress_mutex;
    io::ProgressLine progress("import");
    const auto read = [&](size_t i) -> core::Result<sources::binance::ArchiveFile> {
      auto bytes = io::read_local_file(paths[i]);
      if (!bytes) return core::fail(core::ErrorCode::io_error, "{}: cannot read", paths[i].string());
      return make_file(paths[i].filename().string(), std::move(*bytes), io::read_local_file(paths[i].string() + ".CHECKSUM"));
    };
    auto summary = sources::binance::land_archives(raw, *source, paths.size(), read, ctx.threads(), [&](size_t done, std::string_view name) {
      std::lock_guard lock(progress_mutex);
      progress.update(done, paths.size(), name);
    }, stop);
    landed = summary.landed;
    verified = summary.verified;
    problems.insert(problems.end(), std::make_move_iterator(summary.problems.begin()), std::make_move_iterator(summary.problems.end()));
  }
  if (stop.stop_requested()) {
    fmt::print(stderr, "import: interrupted after {} of {} file(s); what landed stays, run the import again for the rest\n", landed, wanted);
    return 130;
  }
  fmt::print(stderr, "import: {} file(s) landed ({} checksum-verified), {} problem(s)\n", landed, verified, problems.size());
  for (const std::string& problem : problems) fmt::print(stderr, "  {}\n", problem);
  if (!flags.no_etl && landed > 0) {
    if (const int code = run_pipeline_and_report(ctx, json); code != 0) return code;
  }
  return problems.empty() ? 0 : 1;
}

struct PostFlags {
  std::vector<std::string> paths;
  std::vector<std::string> map;  // field=column
  bool no_etl = false, day_first = false, month_first = false;
  std::string date_format;
};

// Lands a post file as received, its posts as X-v2-shaped envelopes, its rejects in quarantine.
// Exit 0 when every record went in, 3 when some went to quarantine, 1 when nothing landed.
int run_post_import(Context& ctx, const PostFlags& flags, bool json) {
  sources::social::PostFileOptions options;
  for (const std::string& item : flags.map) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) return report_error({core::ErrorCode::invalid_argument, fmt::format("--map {}: expected field=column", core::excerpt(item))});
    options.map[item.substr(0, eq)] = item.substr(eq + 1);
  }
  if (flags.day_first && flags.month_first) return report_error({core::ErrorCode::invalid_argument, "--day-first and --month-first exclude each other"});
  options.day_order = flags.day_first ? core::DayOrder::day_first : flags.month_first ? core::DayOrder::month_first : core::DayOrder::unknown;
  options.date_format = flags.date_format;
  std::vector<std::string> problems;
  const std::vector<fs::path> files = expand_paths(flags.paths, {".csv", ".json", ".ndjson", ".jsonl"}, problems);
  const core::Timestamp now = ctx.clock().now();
  lake::RawZoneWriter writer(ctx.store());
  size_t imported = 0, posts_in = 0, quarantined = 0;
  for (const fs::path& path : files) {
    auto bytes = io::read_local_file(path);
    if (!bytes) {
      problems.push_back(fmt::format("{}: cannot read", path.string()));
      continue;
    }
    auto landed = sources::social::land_post_file(writer, path.filename().string(), *bytes, options, now);
    if (!landed) {
      problems.push_back(fmt::format("{}: {}", path.filename().string(), landed.error().message));
      continue;
    }
    const sources::social::PostFile* parsed = &landed->parsed;
    std::vector<lake::QuarantineRecord> rejects;
    for (const auto& r : parsed->rejected) rejects.push_back({r.reason, landed->file_key, static_cast<int64_t>(r.index), r.text});
    if (auto q = lake::write_quarantine(ctx.store(), "import_posts", sources::social::kPostImportSource, "files", landed->file_key, rejects); !q) {
      return report_error(q.error());
    }
    ++imported;
    posts_in += parsed->post_count;
    quarantined += parsed->rejected.size();
    fmt::print(stderr, "{}: {} — {} records, {} posts, {} quarantined{}{}\n", path.filename().string(), parsed->format,
               parsed->records, parsed->post_count, parsed->rejected.size(),
               parsed->synthesized_ids ? fmt::format(", {} ids rebuilt from author, time and text", parsed->synthesized_ids) : "",
               parsed->date_reading.empty() ? "" : ", dates read " + parsed->date_reading);
    for (const auto& group : parsed->reasons) {
      fmt::print(stderr, "  {} × {}{}{}\n", group.count, group.reason, group.example.empty() ? "" : fmt::format(", e.g. '{}'", group.example),
                 group.fix.empty() ? "" : "; fix: " + group.fix);
    }
  }
  for (const std::string& problem : problems) fmt::print(stderr, "error: {}\n", problem);
  if (!flags.no_etl && imported > 0) {
    if (const int code = run_pipeline_and_report(ctx, json); code != 0) return code;
  }
  if (posts_in == 0) {
    if (problems.empty()) fmt::print(stderr, "error: no post landed\n");
    return 1;
  }
  if (!problems.empty()) return 1;
  return quarantined > 0 ? 3 : 0;
}

struct ResponseFlags {
  std::vector<std::string> paths;
  sources::SavedResponseOptions options;
  bool no_etl = false;
};

// Lands saved API responses as the live connectors land theirs; exit 1 when any file is refused.
int run_response_import(Context& ctx, const ResponseFlags& flags, bool json) {
  std::vector<std::string> problems;
  const std::vector<fs::path> files = expand_paths(flags.paths, {".json"}, problems);
  lake::RawZoneWriter writer(ctx.store());
  size_t landed = 0;
  for (const fs::path& path : files) {
    auto bytes = io::read_local_file(path);
    if (!bytes) {
      problems.push_back(fmt::format("{}: cannot read", path.string()));
      continue;
    }
    auto saved = sources::saved_response_envelope(path.filename().string(), std::move(*bytes), flags.options, ctx.clock().now());
    if (!saved) {
      problems.push_back(saved.error().message);
      continue;
    }
    auto key = writer.land(std::span<const core::Envelope>(&saved->envelope, 1));
    if (!key) return report_error(key.error());
    ++landed;
    fmt::print(stderr, "{}: {} → raw/{}/{}\n", path.filename().string(), sources::describe(saved->shape), saved->envelope.source,
               saved->envelope.dataset);
  }
  for (const std::string& problem : problems) fmt::print(stderr, "error: {}\n", problem);
  if (!flags.no_etl && landed > 0) {
    if (const int code = run_pipeline_and_report(ctx, json); code != 0) return code;
  }
  return problems.empty() && landed > 0 ? 0 : 1;
}

}  // namespace

void add_import_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("import", "Load bulk files into the raw zone, then transform");
  command->require_subcommand(1);
  auto flags = std::make_shared<ArchiveFlags>();
  auto* archive = command->add_subcommand("binance-archive", "data.binance.vision kline dumps (.zip or .csv, files or folders)");
  archive->footer(
      "Symbol, interval and period come from names like BTCUSDT-1m-2024-02.zip; a .CHECKSUM next to a\n"
      "file is verified. Headers, ms or µs times and CRLF are all handled.\n"
      "Examples:\n"
      "  cryptolake import binance-archive ~/Downloads/BTCUSDT-1m-2024-02.zip\n"
      "  cryptolake import binance-archive ./dumps/ --market um\n"
      "  cryptolake import binance-archive my.csv --symbol BTCUSDT --interval 4h --period 2026-01-01\n"
      "  cryptolake import binance-archive --download --symbols BTCUSDT,ETHUSDT --interval 1m --from 2024-01-01 --to 2024-01-31");
  archive->add_option("paths", flags->paths, "Files or folders");
  archive->add_option("--symbol", flags->symbol, "Symbol when the file name does not say");
  archive->add_option("--interval", flags->interval, "Interval when the file name does not say (and for --download)");
  archive->add_option("--period", flags->period, "YYYY-MM or YYYY-MM-DD when the file name does not say");
  archive->add_option("--market", flags->market, "spot (default), um (USDⓈ-M futures) or cm (COIN-M futures)")
      ->check(CLI::IsMember({"spot", "um", "cm"}));
  archive->add_flag("--download", flags->download, "Fetch the files from data.binance.vision instead");
  archive->add_option("--symbols", flags->symbols, "With --download: comma-separated symbols");
  archive->add_option("--from", flags->from, "With --download: first day (YYYY-MM-DD)");
  archive->add_option("--to", flags->to, "With --download: last day (YYYY-MM-DD)");
  archive->add_flag("--monthly", flags->monthly, "With --download: monthly files instead of daily");
  archive->add_option("--base-url", flags->base_url, "With --download: archive host (default https://data.binance.vision)");
  archive->add_flag("--no-etl", flags->no_etl, "Only land the files; do not run the transform");
  auto post_flags = std::make_shared<PostFlags>();
  auto* posts = command->add_subcommand("posts", "Social posts from CSV or JSON exports (X/Twitter v1.1, v2, scraper exports)");
  posts->footer(
      "The dialect (delimiter, quoting, BOM, CRLF) and the columns are found by themselves (any case, usual\n"
      "synonyms); when a header does not match its rows, map the fields to 1-based columns or header names.\n"
      "Dates: ISO 8601, yyyy/mm/dd, dd-mm-yyyy, dd/mm/yyyy, mm/dd/yyyy, 12- or 24-hour clocks, Twitter v1.1,\n"
      "epoch seconds or ms; times without a zone are UTC. Day/month order is decided from the column's values;\n"
      "when none decides, say --day-first or --month-first. Columns with no place in `posts` land in `extra`.\n"
      "Exit 0: every record went in; 3: some went to quarantine (reasons listed); 1: nothing landed.\n"
      "Examples:\n"
      "  cryptolake import posts tweets.csv\n"
      "  cryptolake import posts exports/ --no-etl\n"
      "  cryptolake import posts btc_tweets.csv --map author=2 --map created_at=3 --map text=4 --map likes=6 --map retweets=7\n"
      "  cryptolake import posts sheet_export.csv --day-first\n"
      "  cryptolake import posts scrape.csv --date-format '%d.%m.%Y %H:%M'");
  posts->add_option("paths", post_flags->paths, "Files or folders (.csv, .json, .ndjson)")->required();
  posts->add_option("--map", post_flags->map, "field=column (1-based or header name, any case): id, text, created_at, author, likes, "
                                              "retweets, replies, quotes, lang, hashtags, cashtags");
  posts->add_flag("--day-first", post_flags->day_first, "Dates like 03/04/2021 are day/month (when no value of the column decides)");
  posts->add_flag("--month-first", post_flags->month_first, "Dates like 03/04/2021 are month/day");
  posts->add_option("--date-format", post_flags->date_format, "How created_at is written, in strftime syntax, e.g. '%d.%m.%Y %H:%M'");
  posts->add_flag("--no-etl", post_flags->no_etl, "Only land the posts; do not run the transform");
  posts->callback([&global, &exit_code, post_flags] {
    auto context = Context::create_writer(global, "import posts");
    if (!context) { exit_code = report_error(context.error()); return; }
    exit_code = run_post_import(**context, *post_flags, global.json);
  });
  auto response_flags = std::make_shared<ResponseFlags>();
  auto* responses = command->add_subcommand("api-response", "Saved API responses (CoinGecko, CoinCap, BPI, Binance klines) → the same tables as the connectors");
  responses->footer(
      "Shapes read (found by themselves; --source only checks): CoinGecko market_chart → coin_stats (give --coin, the\n"
      "response does not name it) and coins/markets → coin_markets; CoinCap v2/v3 assets → market_ticks and asset\n"
      "history (give --symbol); CoinDesk BPI currentprice → market_ticks, one row per currency; Binance REST klines\n"
      "arrays → market_ohlcv (give --symbol and --interval). Values land exactly; nulls stay null.\n"
      "Examples:\n"
      "  cryptolake import api-response bitcoin_chart.json --coin bitcoin --vs usd\n"
      "  cryptolake import api-response markets.json\n"
      "  cryptolake import api-response klines.json --symbol BTCUSDT --interval 1m");
  responses->add_option("paths", response_flags->paths, "Files or folders (.json)")->required();
  responses->add_option("--source", response_flags->options.source, "coingecko, coincap, bpi or binance (checked against the shape)")
      ->check(CLI::IsMember({"coingecko", "coincap", "bpi", "binance"}));
  responses->add_option("--coin", response_flags->options.coin, "CoinGecko coin id of a market_chart response (bitcoin)");
  responses->add_option("--vs", response_flags->options.vs, "CoinGecko vs_currency (default usd)");
  responses->add_option("--symbol", response_flags->options.symbol, "Binance pair of a klines response (BTCUSDT), or CoinCap asset symbol of a history");
  responses->add_option("--interval", response_flags->options.interval, "Binance interval of a klines response (1m, 1h, …)");
  responses->add_flag("--no-etl", response_flags->no_etl, "Only land the responses; do not run the transform");
  responses->callback([&global, &exit_code, response_flags] {
    auto context = Context::create_writer(global, "import api-response");
    if (!context) { exit_code = report_error(context.error()); return; }
    exit_code = run_response_import(**context, *response_flags, global.json);
  });
  archive->callback([&global, &exit_code, flags] {
    if (flags->paths.empty() && !flags->download) {
      exit_code = report_error({core::ErrorCode::invalid_argument, "give files or folders, or --download"});
      return;
    }
    auto context = Context::create_writer(global, "import archive");
    if (!context) { exit_code = report_error(context.error()); return; }
    exit_code = run_archive_import(**context, *flags, global.json);
  });
}

}  // namespace cryptolake::cli
