// `cryptolake serve`: the dashboard, the JSON API and /metrics over HTTP.
#include <thread>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "io/real/httplib_server.hpp"
#include "serve/api_router.hpp"

namespace cryptolake::cli {

void add_serve_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("serve", "Serve the dashboard, the JSON API (/api/v1/…) and /metrics");
  command->footer(
      "Listens on 127.0.0.1 only, unless --listen says otherwise; then --token is required and every\n"
      "request must carry 'Authorization: Bearer <token>'.\n"
      "Examples:\n"
      "  cryptolake serve                                  # http://127.0.0.1:8080/\n"
      "  cryptolake serve --port 9000 --lake /data/lake\n"
      "  cryptolake serve --listen 0.0.0.0 --token \"$(openssl rand -hex 16)\"");
  auto port = std::make_shared<int>(8080);
  auto listen = std::make_shared<std::string>("127.0.0.1");
  auto token = std::make_shared<std::string>();
  auto cache_ms = std::make_shared<int64_t>(5'000);
  command->add_option("--port", *port, "TCP port (default 8080; 0 picks a free one)")->check(CLI::Range(0, 65535));
  command->add_option("--listen", *listen, "Address to listen on (default 127.0.0.1)");
  command->add_option("--token", *token, "Bearer token every request must carry");
  command->add_option("--cache-ms", *cache_ms, "Identical API requests within this time share one answer (default 5000; 0: off)")
      ->check(CLI::Range(int64_t{0}, int64_t{3'600'000}));
  command->callback([&global, &exit_code, port, listen, token, cache_ms] {
    const bool loopback = *listen == "127.0.0.1" || *listen == "localhost" || *listen == "::1";
    if (!loopback && token->empty()) {
      exit_code = report_error({core::ErrorCode::invalid_argument,
                                fmt::format("--listen {} exposes the lake beyond this machine: give --token as well", *listen)});
      return;
    }
    auto context = Context::create(global);
    if (!context) { exit_code = report_error(context.error()); return; }
    auto duckdb = (*context)->duckdb();
    if (!duckdb) { exit_code = report_error(duckdb.error()); return; }
    auto router = serve::ApiRouter::create((*context)->store(), **duckdb, {*token, 10'000, 5'000, *cache_ms});
    if (!router) { exit_code = report_error(router.error()); return; }
    io::HttplibServer server;
    if (auto bound = server.bind(*listen, *port); !bound) { exit_code = report_error(bound.error()); return; }
    fmt::print("serving {} on http://{}:{}/ (Ctrl-C to stop)\n", (*context)->store().root().string(),
               *listen == "0.0.0.0" ? "127.0.0.1" : *listen, server.bound_port());
    std::fflush(stdout);
    std::jthread stopper([&server](std::stop_token own) {
      const std::stop_token interrupted = interrupt_token();
      while (!own.stop_requested() && !interrupted.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      server.stop();
    });
    server.listen([&](const io::ServerRequest& request) { return (*router)->handle(request); });
    stopper.request_stop();
    exit_code = 0;
  });
}

}  // namespace cryptolake::cli
