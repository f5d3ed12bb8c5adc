// `cryptolake serve`: the dashboard, the JSON API and /metrics over HTTP.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "io/real/httplib_server.hpp"
#include "serve/api_router.hpp"
#include "serve/live_feed.hpp"
#include "stream/live_processor.hpp"

namespace cryptolake::cli {

namespace {

// The token from --token, else --token-file, else CRYPTOLAKE_TOKEN; empty: none given. A token
// given but blank is refused: it would open the server to everyone while looking protected.
core::Result<std::string> serve_token(const std::optional<std::string>& flag, const std::string& file) {
  std::optional<std::string> token = flag;
  std::string origin = "--token";
  if (!token && !file.empty()) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line)) return core::fail(core::ErrorCode::invalid_argument, "--token-file {} cannot be read", file);
    token = line;
    origin = "--token-file";
  }
  if (!token) {
    if (const char* env = std::getenv("CRYPTOLAKE_TOKEN")) {
      token = env;
      origin = "CRYPTOLAKE_TOKEN";
    }
  }
  if (!token) return std::string();
  while (!token->empty() && std::isspace(static_cast<unsigned char>(token->back()))) token->pop_back();
  if (token->find_first_not_of(" \t") == std::string::npos) {
    return core::fail(core::ErrorCode::invalid_argument, "{} is blank: give a real token (e.g. openssl rand -hex 16)", origin);
  }
  if (token->size() > 4096 || std::ranges::any_of(*token, [](unsigned char c) { return c < 0x21 || c > 0x7e; })) {
    return core::fail(core::ErrorCode::invalid_argument, "{}: a token is up to 4096 printable characters without spaces", origin);
  }
  return *token;
}

}  // namespace

void add_serve_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("serve", "Serve the dashboard, the JSON API (/api/v1/…) and /metrics");
  command->footer(
      "Listens on 127.0.0.1 only, unless --listen says otherwise; then --token is required and every\n"
      "request must carry 'Authorization: Bearer <token>'.\n"
      "Examples:\n"
      "  cryptolake serve                                  # http://127.0.0.1:8080/\n"
      "  cryptolake serve --port 9000 --lake /data/lake\n"
      "  openssl rand -hex 16 > token && cryptolake serve --listen 0.0.0.0 --token-file token\n"
      "  CRYPTOLAKE_TOKEN=$(cat token) cryptolake serve --listen 0.0.0.0\n"
      "  cryptolake stream run --source simulator --speed 60 &   # then, beside it:\n"
      "  cryptolake serve --live                                 # http://127.0.0.1:8080/?page=live");
  auto port = std::make_shared<int>(8080);
  auto listen = std::make_shared<std::string>("127.0.0.1");
  auto token = std::make_shared<std::string>();
  auto token_file = std::make_shared<std::string>();
  auto cache_ms = std::make_shared<int64_t>(5'000);
  auto live = std::make_shared<bool>(false);
  auto bus_url = std::make_shared<std::string>();
  command->add_option("--port", *port, "TCP port (default 8080; 0 picks a free one)")->check(CLI::Range(0, 65535));
  command->add_option("--listen", *listen, "Address to listen on (default 127.0.0.1)");
  auto* token_option = command->add_option("--token", *token,
                                           "Bearer token every request must carry (visible to other users in the process "
                                           "list: prefer --token-file or CRYPTOLAKE_TOKEN)");
  command->add_option("--token-file", *token_file, "Read the bearer token from this file (its first line)")
      ->check(CLI::ExistingFile)
      ->excludes(token_option);
  command->add_option("--cache-ms", *cache_ms, "Identical API requests within this time share one answer (default 5000; 0: off)")
      ->check(CLI::Range(int64_t{0}, int64_t{3'600'000}));
  command->add_flag("--live", *live,
                    "Also serve the stream as it happens (the Live page, /api/v1/live): read the bus in consumer group 'live', "
                    "starting from the lake's newest candles");
  command->add_option("--bus", *bus_url, "With --live: local (the lake's _log/), kafka://host:port[,host:port] (default bus.url)");
  command->callback([&global, &exit_code, port, listen, token, token_file, token_option, cache_ms, live, bus_url] {
    auto chosen = serve_token(token_option->count() > 0 ? std::optional<std::string>(*token) : std::nullopt, *token_file);
    if (!chosen) { exit_code = report_error(chosen.error()); return; }
    const bool loopback = *listen == "127.0.0.1" || *listen == "localhost" || *listen == "::1";
    if (!loopback && chosen->empty()) {
      exit_code = report_error({core::ErrorCode::invalid_argument,
                                fmt::format("--listen {} exposes the lake beyond this machine: give a token as well "
                                            "(--token-file, CRYPTOLAKE_TOKEN or --token)", *listen)});
      return;
    }
    auto context = Context::create(global);
    if (!context) { exit_code = report_error(context.error()); return; }
    auto duckdb = (*context)->duckdb();
    if (!duckdb) { exit_code = report_error(duckdb.error()); return; }
    const core::SqlConfig& sql = (*context)->config().sql;
    serve::ServeOptions options;
    options.token = *chosen;
    options.max_bytes = static_cast<size_t>(sql.max_answer_bytes);
    options.cache_ms = *cache_ms;
    options.cache_max_bytes = static_cast<size_t>(sql.cache_max_bytes);
    options.memory_limit = sql.memory_limit;
    options.hot.max_bytes = static_cast<size_t>(sql.hot_max_bytes);
    // The live view: seeded from the lake before the router locks DuckDB's settings.
    serve::LiveFeed feed;
    std::unique_ptr<bus::Bus> bus;
    std::optional<stream::LiveProcessor> processor;
    if (*live) {
      auto opened = (*context)->open_bus(*bus_url);
      if (!opened) { exit_code = report_error(opened.error()); return; }
      bus = std::move(*opened);
      processor.emplace((*context)->config().projections);
      auto seed = stream::read_newest_candles((*context)->store(), **duckdb, (*context)->config().projections.window);
      if (!seed) { exit_code = report_error(seed.error()); return; }
      processor->seed(*seed);
      options.live = &feed;
    }
    auto router = serve::ApiRouter::create((*context)->store(), **duckdb, options);
    if (!router) { exit_code = report_error(router.error()); return; }
    io::HttplibServer server;
    if (auto bound = server.bind(*listen, *port); !bound) { exit_code = report_error(bound.error()); return; }
    // The address actually listened on: 0.0.0.0 means every interface, and says so.
    const bool v6 = listen->find(':') != std::string::npos;
    fmt::print("serving {} on http://{}{}{}:{}/{} (Ctrl-C to stop)\n", (*context)->store().location(""), v6 ? "[" : "",
               *listen, v6 ? "]" : "", server.bound_port(), *listen == "0.0.0.0" || *listen == "::" ? " (every interface)" : "");
    if (processor) fmt::print("live view: reading {} (group 'live'); http://{}:{}/?page=live\n", bus->describe(), *listen, server.bound_port());
    std::fflush(stdout);
    std::jthread live_reader;
    if (processor) {
      live_reader = std::jthread([&](std::stop_token own) {
        stream::LiveOptions live_options;
        live_options.topic_prefix = (*context)->config().bus.topic_prefix;
        live_options.projections = (*context)->config().projections;
        auto ran = stream::run_live(*bus, *processor, live_options, (*context)->clock(), [&feed](std::string json) { feed.publish(std::move(json)); }, own);
        if (!ran) spdlog::error("live view stopped: {}", ran.error().message);
      });
    }
    std::jthread stopper([&server, &feed](std::stop_token own) {
      const std::stop_token interrupted = interrupt_token();
      while (!own.stop_requested() && !interrupted.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      feed.close();  // ends the open event streams, so the server can stop
      server.stop();
    });
    server.listen([&](const io::ServerRequest& request) { return (*router)->handle(request); });
    stopper.request_stop();
    live_reader = {};
    exit_code = 0;
  });
}

}  // namespace cryptolake::cli
