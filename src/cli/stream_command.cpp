// `cryptolake stream collect|land`: live sources into the bus, and the bus into the raw zone.
#include <functional>
#include <map>
#include <thread>

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/simulation_options.hpp"
#include "core/excerpt.hpp"
#include "io/real/progress_line.hpp"
#include "io/real/allocator_tuning.hpp"
#include "io/real/local_file.hpp"
#include "io/real/beast_websocket.hpp"
#include "io/real/httplib_server.hpp"
#include "lake/layout.hpp"
#include "schedule/etl_pipeline.hpp"
#include "sources/binance/kline_backfill.hpp"
#include "stream/alert_announcer.hpp"
#include "stream/alert_webhook.hpp"
#include "stream/silence_watch.hpp"
#include "stream/stream_sources.hpp"
#include "stream/land.hpp"

namespace cryptolake::cli {

namespace {

struct CollectFlags {
  std::string source;
  std::string speed;  // replay: 1 (as recorded); simulator: 60 (an hour a minute)
  std::string bus;
  // binance (its --symbols is simulation.symbols: one flag for both sources)
  std::string streams = "kline_1m,aggTrade,bookTicker";
  std::string market = "spot";
  std::string ws_url;
  std::string ca_file;
  size_t max_messages = 0;
  int metrics_port = 0;
  // simulator
  SimulationFlags simulation;
  int64_t minutes = 0;
  std::string from, to;  // ISO times: a span of the simulated market
};

// The /metrics endpoint of a stream process (--metrics-port) and its progress line: messages in
// and out with their rates, consumer lag, the last event's time.
class StreamObserver {
 public:
  StreamObserver(std::string label, io::Clock& clock) : progress_(std::move(label)), clock_(clock), started_(clock.now()) {
    ticker_ = std::jthread([this](std::stop_token stop) {
      while (!stop.stop_requested()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        update();
      }
    });
  }
  ~StreamObserver() {
    watching_ = {};
    // Alerts of the run's end still go out, within reason.
    if (webhook_ && !webhook_->drain(std::chrono::seconds(5))) spdlog::warn("alert webhook: posts still pending at exit were given up");
    ticker_.request_stop();
    if (ticker_.joinable()) ticker_.join();
    if (server_) server_->stop();
  }

  // The alert outputs beyond log lines and metrics: the [webhook] (when it has a url) and the
  // stream_silent rules, watched on the clock.
  void start_alerts(const core::Config& config, io::HttpClient& http) {
    if (!config.webhook.url.empty()) webhook_ = std::make_unique<stream::AlertWebhook>(http, clock_, config.webhook);
    silence_ = std::make_unique<stream::SilenceWatch>(config.alerts, metrics, clock_, webhook_.get());
    if (!silence_->empty()) watching_ = std::jthread([this](std::stop_token stop) { silence_->run(stop); });
  }
  stream::AlertWebhook* webhook() { return webhook_.get(); }

  core::Status serve_metrics(int port) {
    if (port <= 0) return {};
    server_ = std::make_unique<io::HttplibServer>();
    TRY(server_->bind("127.0.0.1", port));
    fmt::print(stderr, "metrics on http://127.0.0.1:{}/metrics\n", server_->bound_port());
    listener_ = std::jthread([this] {
      server_->listen([this](const io::ServerRequest& request) {
        if (request.path != "/metrics") return io::ServerResponse{404, "text/plain", "not found\n", {}};
        return io::ServerResponse{200, "text/plain; version=0.0.4", metrics.prometheus(), {}};
      });
    });
    return {};
  }

  void update() {
    const stream::StreamMetrics::Totals t = metrics.totals();
    const double seconds = std::max(1e-3, static_cast<double>(clock_.now().micros() - started_.micros()) / 1e6);
    progress_.update(t.out, 0,
                     fmt::format("{} in ({:.0f}/s), {} landed ({:.0f}/s), lag {}, last event {}", t.in, static_cast<double>(t.in) / seconds, t.out,
                                 static_cast<double>(t.out) / seconds, t.lag, t.last_event ? t.last_event->iso().substr(0, 19) : "-"));
  }

  stream::StreamMetrics metrics;

 private:
  io::ProgressLine progress_;
  io::Clock& clock_;
  core::Timestamp started_;
  std::unique_ptr<io::HttplibServer> server_;
  std::jthread listener_;
  std::jthread ticker_;
  std::unique_ptr<stream::AlertWebhook> webhook_;
  std::unique_ptr<stream::SilenceWatch> silence_;
  std::jthread watching_;
};

core::Result<double> parse_speed(const std::string& text, double fallback) {
  if (text.empty()) return fallback;
  if (text == "max") return 0.0;
  double speed = -1;
  try {
    speed = std::stod(text);
  } catch (const std::exception&) {
  }
  if (!(speed > 0)) return core::fail(core::ErrorCode::invalid_argument, "--speed takes a positive number or max");
  return speed;
}

// What --source names, built as a StreamSource; the state it needs (capture text, WebSocket
// client, REST session for gaps) lives here as long as the source runs.
struct SourceSetup {
  std::string text;
  std::optional<sources::binance::Capture> capture;
  std::unique_ptr<io::WebSocketClient> client;
  std::optional<sources::ServiceSession> rest;
  stream::StreamSource source;
  size_t skipped_lines = 0;
};

core::Status setup_replay(const CollectFlags& flags, Context& ctx, SourceSetup& setup) {
  sources::binance::ReplayOptions options;
  TRY_ASSIGN(options.speed, parse_speed(flags.speed, 1.0));
  const std::string path = flags.source.substr(7);
  auto bytes = io::read_local_file(path);
  if (!bytes) return core::fail(core::ErrorCode::not_found, "cannot read {}", path);
  setup.text = std::move(*bytes);
  TRY_ASSIGN(setup.capture, sources::binance::read_capture(setup.text));
  for (const std::string& problem : setup.capture->problems) fmt::print(stderr, "{}: skipped {}\n", path, problem);
  setup.skipped_lines = setup.capture->skipped;
  if (setup.skipped_lines > setup.capture->problems.size()) {
    fmt::print(stderr, "{}: and {} more lines skipped\n", path, setup.skipped_lines - setup.capture->problems.size());
  }
  setup.source = stream::replay_source(*setup.capture, options, ctx.clock());
  return {};
}

core::Status setup_binance(const CollectFlags& flags, Context& ctx, SourceSetup& setup, stream::StreamMetrics& metrics) {
  sources::binance::LiveOptions options;
  options.source = flags.market == "um" ? "binance_um" : "binance";
  options.base_url = flags.ws_url;
  options.max_messages = flags.max_messages;
  const std::string& symbols = flags.simulation.symbols;
  if (symbols.empty()) return core::fail(core::ErrorCode::invalid_argument, "--source binance needs --symbols, e.g. BTCUSDT,ETHUSDT");
  for (const auto& part : CLI::detail::split(symbols, ',')) {
    TRY_ASSIGN(const core::Symbol symbol, core::Symbol::parse(CLI::detail::trim_copy(part)));
    for (const auto& kind : CLI::detail::split(flags.streams, ',')) {
      options.streams.push_back(sources::binance::stream_name(symbol, CLI::detail::trim_copy(kind)));
    }
  }
  TRY(sources::binance::live_urls(options));  // names checked before anything connects
  io::WebSocketOptions ws;
  ws.ca_file = flags.ca_file;
  setup.client = io::make_beast_websocket_client(ws);
  const core::BinanceConfig& rest = ctx.config().binance;
  // Candles missed while disconnected come from REST into the same bus (dataset klines).
  auto gaps = [&ctx, &setup, rest](io::RawSink& sink) {
    setup.rest.emplace(ctx.http(), ctx.governor(rest.backfill_share), ctx.clock(), sink,
                       sources::binance::binance_endpoint(rest.base_url, rest.weight_per_minute, rest.api_key));
    return sources::binance::rest_gap_filler(*setup.rest);
  };
  setup.source = stream::binance_source(*setup.client, std::move(options), ctx.clock(), gaps,
                                        [&metrics](const sources::binance::LiveReport& r) { metrics.reconnects(r.reconnects); });
  return {};
}

core::Status setup_simulator(const CollectFlags& flags, Context& ctx, SourceSetup& setup) {
  sources::simulator::LiveSimulationOptions options;
  options.config = ctx.config().simulator;
  // On a lake made by `simulate` or `demo`, the same market (its symbols, seed and first day)
  // unless the flags name another: `--from/--to` then continue it.
  const SimulationFlags& given = flags.simulation;
  if (given.symbols.empty() && given.seed < 0 && given.start.empty()) {
    if (const auto manifest = ctx.store().get(lake::layout::kSimulatorManifestKey)) {
      if (auto same = sources::simulator::simulation_of_manifest(*manifest, options.config)) options.config = std::move(*same);
      else spdlog::warn("{}; simulating the config's market", same.error().message);
    }
  }
  TRY(flags.simulation.apply(options.config));
  options.minutes = flags.minutes;
  if (!flags.from.empty() || !flags.to.empty()) {
    // A span of the simulated market (which still begins at --start): what one scheduled interval ingests.
    const auto from = core::Timestamp::parse_iso(flags.from), to = core::Timestamp::parse_iso(flags.to);
    const auto start = core::Timestamp::parse_date(options.config.start);
    if (!from || !to || !start) return core::fail(core::ErrorCode::invalid_argument, "--from and --to take ISO times, both (2026-12-03T01:00:00Z)");
    constexpr int64_t kMinute = core::Timestamp::kMicrosPerMinute;
    if (*from < *start || !(*from < *to) || (*from - *start) % kMinute != 0 || (*to - *from) % kMinute != 0) {
      return core::fail(core::ErrorCode::invalid_argument, "--from {} .. --to {}: whole minutes, from after --start {} and before --to",
                        core::excerpt(flags.from, 40), core::excerpt(flags.to, 40), options.config.start);
    }
    options.first_minute = (*from - *start) / kMinute;
    options.minutes = (*to - *from) / kMinute;
    if (options.first_minute > int64_t{50} * 525'600) return core::fail(core::ErrorCode::invalid_argument, "--from is more than 50 years after --start");
    if (options.minutes > int64_t{10} * 525'600) return core::fail(core::ErrorCode::invalid_argument, "--from .. --to spans more than 10 years");
  }
  TRY_ASSIGN(options.speed, parse_speed(flags.speed, 60.0));
  setup.source = stream::simulator_source(std::move(options), ctx.clock());
  return {};
}

core::Status setup_source(const CollectFlags& flags, Context& ctx, SourceSetup& setup, stream::StreamMetrics& metrics) {
  if (flags.source.starts_with("replay:")) return setup_replay(flags, ctx, setup);
  if (flags.source == "binance") return setup_binance(flags, ctx, setup, metrics);
  if (flags.source == "simulator") return setup_simulator(flags, ctx, setup);
  return core::fail(core::ErrorCode::invalid_argument, "--source '{}': expected binance, simulator or replay:PATH", core::excerpt(flags.source));
}

std::string dataset_counts(const stream::SourceCounts& counts, std::string_view separator, bool json) {
  std::string text;
  for (const auto& [dataset, count] : counts.by_dataset) {
    text += json ? fmt::format("{}\"{}\":{}", text.empty() ? "" : ",", dataset, count)
                 : fmt::format("{}{} {}", text.empty() ? "" : separator, dataset, count);
  }
  return text;
}

int run_collect(Context& ctx, const CollectFlags& flags, bool json) {
  SourceSetup setup;
  StreamObserver observer("collect", ctx.clock());
  observer.start_alerts(ctx.config(), ctx.http());
  if (auto ready = setup_source(flags, ctx, setup, observer.metrics); !ready) return report_error(ready.error());
  if (auto served = observer.serve_metrics(flags.metrics_port); !served) return report_error(served.error());
  auto bus = ctx.open_bus(flags.bus);
  if (!bus) return report_error(bus.error());
  auto report = stream::collect(setup.source, ctx.clock(), **bus, ctx.config().bus.topic_prefix, interrupt_token(), &observer.metrics);
  if (!report) return report_error(report.error());
  if (json) {
    fmt::print("{{\"topic\":\"{}\",\"messages\":{},\"skipped_lines\":{},\"by_dataset\":{{{}}}}}\n", report->topic, report->counts.messages,
               setup.skipped_lines, dataset_counts(report->counts, ",", true));
  } else {
    fmt::print(stderr, "stream collect: {} messages → {} on the {} ({})\n", report->counts.messages, report->topic, (*bus)->describe(),
               dataset_counts(report->counts, ", ", false));
  }
  report_task_rows(ctx, report->counts.messages, report->counts.messages);
  // Every line of a capture went in, or the skipped ones were named above.
  return setup.skipped_lines == 0 ? 0 : 3;
}

struct LandFlags {
  stream::LandOptions options;
  std::string bus;
  double exit_when_idle = -1;
  bool raw_only = false;
  int metrics_port = 0;
};

void add_land_options(CLI::App& command, LandFlags& flags) {
  command.add_option("--group", flags.options.group, "Consumer group (default lander)");
  command.add_option("--max-records", flags.options.max_records, "Records per micro-batch at most (default 10000)")->check(CLI::Range(1, 10'000'000));
  command.add_option("--max-wait-ms", flags.options.max_wait_ms, "Longest a micro-batch waits to fill (default 1000)")->check(CLI::Range(1, 600'000));
  command.add_option("--exit-when-idle", flags.exit_when_idle, "Seconds without a record after which to exit")->check(CLI::NonNegativeNumber);
  command.add_flag("--raw-only", flags.raw_only, "Land into the raw zone only; `etl` makes the curated rows later");
  command.add_option("--metrics-port", flags.metrics_port, "Serve Prometheus /metrics on 127.0.0.1:PORT while running")->check(CLI::Range(1, 65535));
}

// The tables the lander keeps current itself: what the WebSocket streams feed.
const std::vector<std::string> kStreamTables = {"market_ohlcv", "trades", "quotes"};

// The stream tables' stages, and with `with_derived` the tables derived from market_ohlcv
// (projections, stream_stats, alerts, whose new rows are then announced), incremental, under
// the lake's writer lock for the moment they run.
core::Status curate_stream_tables(Context& ctx, bool with_derived, stream::AlertAnnouncer* announcer) {
  TRY_ASSIGN(lake::DuckDb* duckdb, ctx.duckdb());
  {
    TRY_ASSIGN(const lake::LakeLock lock, ctx.lock_lake("stream land (curating)"));
    schedule::PipelineOptions only;
    only.only = kStreamTables;
    if (with_derived) only.only.insert(only.only.end(), {"projections", "stream_stats", "alerts"});
    TRY(schedule::run_etl_pipeline(ctx.store(), *duckdb, ctx.config(), ctx.threads(), ctx.clock(), only, {}));
  }
  if (with_derived && announcer != nullptr) TRY(announcer->announce());
  return {};
}

// What the lander runs: its options, and the curation to run once it has finished.
struct Landing {
  stream::LandOptions options;
  std::function<core::Status()> finish;
};

// The lander's options: the flags, the topic prefix of the config, and (unless --raw-only) the
// curation of what landed — those stages of the pipeline, incremental, under the lake's writer
// lock for the moment they run (an `etl` beside the lander waits its turn, and vice versa).
core::Result<Landing> land_options(Context& ctx, const LandFlags& flags, stream::StreamMetrics* metrics, stream::AlertWebhook* webhook) {
  Landing landing;
  stream::LandOptions& options = landing.options;
  options = flags.options;
  options.topic_prefix = ctx.config().bus.topic_prefix;
  options.threads = ctx.threads();
  options.clock = &ctx.clock();
  options.metrics = metrics;
  options.hold_partition = [&ctx, group = options.group](const std::string& topic, int32_t partition) -> core::Result<std::shared_ptr<void>> {
    const std::string key = lake::layout::landing_lock_key(group, topic, partition);
    TRY_ASSIGN(lake::LakeLock lock, lake::LakeLock::acquire_file(ctx.store().location(key), "stream land", ctx.clock().now(),
                                                                 lake::LakeLock::Wait::block));
    return std::static_pointer_cast<void>(std::make_shared<lake::LakeLock>(std::move(lock)));
  };
  landing.finish = [] { return core::Status{}; };
  if (!flags.raw_only) {
    TRY_ASSIGN(lake::DuckDb* duckdb, ctx.duckdb());
    auto announcer = std::make_shared<stream::AlertAnnouncer>(ctx.store(), *duckdb, metrics, webhook);
    TRY(announcer->start());
    // The derived tables take a second or two: at most once a minute here, and once more when
    // the run ends (`finish`).
    auto last_derived = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
    options.curate = [&ctx, last_derived, announcer]() -> core::Status {
      const bool derive = std::chrono::steady_clock::now() - *last_derived >= std::chrono::minutes(1);
      TRY(curate_stream_tables(ctx, derive, announcer.get()));
      if (derive) *last_derived = std::chrono::steady_clock::now();
      return {};
    };
    landing.finish = [&ctx, announcer] { return curate_stream_tables(ctx, true, announcer.get()); };
  }
  options.exit_when_idle_ms = flags.exit_when_idle < 0 ? -1 : static_cast<int64_t>(flags.exit_when_idle * 1000);
  return landing;
}

int run_land(Context& ctx, const LandFlags& flags, bool json) {
  auto bus = ctx.open_bus(flags.bus);
  if (!bus) return report_error(bus.error());
  StreamObserver observer("land", ctx.clock());
  observer.start_alerts(ctx.config(), ctx.http());
  if (auto served = observer.serve_metrics(flags.metrics_port); !served) return report_error(served.error());
  auto landing = land_options(ctx, flags, &observer.metrics, observer.webhook());
  if (!landing) return report_error(landing.error());
  auto report = stream::land_stream(**bus, ctx.store(), landing->options, interrupt_token());
  if (!report) return report_error(report.error());
  if (auto curated = landing->finish(); !curated) return report_error(curated.error());
  if (json) {
    fmt::print("{{\"records\":{},\"micro_batches\":{},\"raw_batches\":{},\"undone\":{},\"finished\":{}}}\n", report->records,
               report->batches, report->raw_objects, report->undone, report->finished);
  } else {
    fmt::print(stderr, "stream land: {} records in {} micro-batches → {} raw batches from the {}{}\n", report->records, report->batches,
               report->raw_objects, (*bus)->describe(),
               report->undone + report->finished > 0
                   ? fmt::format(" (an interrupted landing: {} raw batches undone, {} landings completed)", report->undone, report->finished)
                   : "");
  }
  report_task_rows(ctx, report->records, report->records);
  return 0;
}

int run_both(Context& ctx, const CollectFlags& collect, const LandFlags& land, bool json) {
  SourceSetup setup;
  StreamObserver observer("stream", ctx.clock());
  observer.start_alerts(ctx.config(), ctx.http());
  if (auto ready = setup_source(collect, ctx, setup, observer.metrics); !ready) return report_error(ready.error());
  if (auto served = observer.serve_metrics(land.metrics_port); !served) return report_error(served.error());
  auto bus = ctx.open_bus(collect.bus);
  if (!bus) return report_error(bus.error());
  auto landing = land_options(ctx, land, &observer.metrics, observer.webhook());
  if (!landing) return report_error(landing.error());
  const bool can_wait = setup.client == nullptr;  // a replay or the simulator, not a live connection
  const size_t max_ahead = can_wait ? 2 * landing->options.max_records : 0;
  auto report = stream::run_stream(setup.source, landing->options, ctx.clock(), **bus, ctx.store(), interrupt_token(), {}, max_ahead);
  if (!report) return report_error(report.error());
  if (auto curated = landing->finish(); !curated) return report_error(curated.error());
  if (json) {
    fmt::print("{{\"messages\":{},\"records_landed\":{},\"raw_batches\":{}}}\n", report->collected.counts.messages, report->landed.records,
               report->landed.raw_objects);
  } else {
    fmt::print(stderr, "stream run: {} messages collected, {} records landed in {} raw batches through the {}\n",
               report->collected.counts.messages, report->landed.records, report->landed.raw_objects, (*bus)->describe());
  }
  report_task_rows(ctx, report->collected.counts.messages, report->landed.records);
  return setup.skipped_lines == 0 ? 0 : 3;
}

constexpr const char* kSourcesHelp =
    "Sources:\n"
    "  binance         the live WebSocket streams of --symbols × --streams (combined streams, up to 1024 a connection;\n"
    "                  reconnects with backoff, switches connection before Binance's 24 h cut and on serverShutdown;\n"
    "                  candles missed while disconnected are fetched over REST from binance.base_url). --market um\n"
    "                  takes USDⓈ-M futures; --ws-url points at a mirror or a test server.\n"
    "  simulator       the simulated market of `simulate` (same seed, same candles) as kline_1m events, open updates\n"
    "                  and closed candles, on a clock --speed times faster than real time (default 60; max: at once).\n"
    "  replay:PATH     a recorded session — a cryptofeed capture ('<epoch>: <message>' lines after the URL line) or\n"
    "                  NDJSON messages with received_at or E — at its recorded pace, --speed N times faster, or max.\n"
    "Every message lands as received, in an envelope keyed source/dataset/symbol (ws_kline, ws_trade, ws_aggtrade,\n"
    "ws_bookticker, ws_depth).\n";

void add_source_options(CLI::App& command, CollectFlags& flags) {
  command.add_option("--source", flags.source, "binance, simulator or replay:PATH")->required();
  command.add_option("--speed", flags.speed, "replay: 1 = as recorded (default); simulator: 60 (default); N times faster; max = at once");
  command.add_option("--bus", flags.bus, "local (the lake's _log/), kafka://host:port[,host:port] or mock://N (default bus.url)");
  command.add_option("--streams", flags.streams, "binance: stream kinds per symbol (default kline_1m,aggTrade,bookTicker; also trade, depth@100ms)");
  command.add_option("--market", flags.market, "binance: spot (default) or um (USDⓈ-M futures)")->check(CLI::IsMember({"spot", "um"}));
  command.add_option("--ws-url", flags.ws_url, "binance: WebSocket base URL (default wss://stream.binance.com:9443, um: wss://fstream.binance.com)");
  command.add_option("--ca-file", flags.ca_file, "binance: trust these certificates (PEM) instead of the system's");
  command.add_option("--max-messages", flags.max_messages, "binance: stop after this many messages");
  command.add_option("--minutes", flags.minutes, "simulator: minutes to stream instead of --days")->check(CLI::PositiveNumber);
  command.add_option("--from", flags.from, "simulator: stream the simulated market from this ISO time on (it still begins at --start)");
  command.add_option("--to", flags.to, "simulator: … up to this ISO time (with --from; instead of --days/--minutes)");
  flags.simulation.add_to(command);  // --days, --symbols (binance too: BTCUSDT,ETHUSDT), --seed, --start
}

}  // namespace

void add_stream_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("stream", "Real-time data through the bus (local log or Kafka)");
  // Micro-batches build and drop tens of MB each: keep those blocks in the heap (1.65× faster raw landing).
  command->preparse_callback([](size_t) { io::keep_large_blocks_in_heap(size_t{512} << 20); });
  command->require_subcommand(1);
  auto flags = std::make_shared<CollectFlags>();
  auto* collect = command->add_subcommand("collect", "A live source into the bus topic <prefix>.raw, every message as received");
  collect->footer(std::string(kSourcesHelp) +
      "Runs until the source ends (a replay, a simulation) or SIGTERM/Ctrl-C. Exit 0: every message went in; 3: some\n"
      "capture lines were not messages (named).\n"
      "Examples:\n"
      "  cryptolake stream collect --source binance --symbols BTCUSDT,ETHUSDT --streams kline_1m,aggTrade\n"
      "  cryptolake stream collect --source simulator --symbols 4 --speed 600\n"
      "  cryptolake stream collect --source replay:capture.txt --speed max\n"
      "  cryptolake stream collect --source replay:capture.ndjson --speed 10 --bus mock://3\n"
      "  cryptolake stream collect --source replay:capture.txt --bus kafka://broker1:9092,broker2:9092");
  add_source_options(*collect, *flags);
  collect->add_option("--metrics-port", flags->metrics_port, "Serve Prometheus /metrics on 127.0.0.1:PORT while running")->check(CLI::Range(1, 65535));
  collect->callback([&global, &exit_code, flags] {
    auto context = Context::create(global);
    if (!context) { exit_code = report_error(context.error()); return; }
    exit_code = run_collect(**context, *flags, global.json);
  });

  auto land_flags = std::make_shared<LandFlags>();
  auto* land = command->add_subcommand("land", "The bus topic <prefix>.raw into the raw zone, exactly once, for etl to transform");
  land->footer(
      "Records are taken in micro-batches (up to --max-records, or what came within --max-wait-ms) and land as raw batches,\n"
      "one per bus partition, source and dataset; the group's offsets are committed once they are durable. A lander killed\n"
      "at any moment and started again (or another member of the group) finishes or undoes what it was landing: every\n"
      "record ends up in the raw zone once. Runs until SIGTERM/Ctrl-C (it finishes the micro-batch and exits 0), or\n"
      "with --exit-when-idle until nothing came for that long. Then `cryptolake etl` transforms what landed.\n"
      "Examples:\n"
      "  cryptolake stream land\n"
      "  cryptolake stream land --exit-when-idle 5\n"
      "  cryptolake stream land --bus kafka://broker1:9092 --group landers");
  land->add_option("--bus", land_flags->bus, "local (the lake's _log/), kafka://host:port[,host:port] or mock://N (default bus.url)");
  add_land_options(*land, *land_flags);
  land->callback([&global, &exit_code, land_flags] {
    auto context = Context::create(global);
    if (!context) { exit_code = report_error(context.error()); return; }
    exit_code = run_land(**context, *land_flags, global.json);
  });

  auto run_flags = std::make_shared<std::pair<CollectFlags, LandFlags>>();
  auto* run = command->add_subcommand("run", "collect and land in one process: a source through the bus into the raw zone");
  run->footer(std::string(kSourcesHelp) +
      "The lander runs until the source has ended and nothing came for --exit-when-idle seconds (default 1), or SIGTERM.\n"
      "A replay or the simulator waits while it is two micro-batches (2 × --max-records) ahead of the lander, so at\n"
      "--speed max it runs as fast as the lander takes it and no backlog delays what lands; the live Binance source\n"
      "never waits (the bus holds its bursts).\n"
      "Examples:\n"
      "  cryptolake stream run --source binance --symbols BTCUSDT --streams kline_1m,trade,bookTicker\n"
      "  cryptolake stream run --source simulator --start 2024-01-01 --days 2 --speed max && cryptolake etl\n"
      "  cryptolake stream run --source replay:capture.txt --speed max && cryptolake etl\n"
      "  cryptolake stream run --source replay:capture.txt --speed 10 --bus mock://3");
  add_source_options(*run, run_flags->first);
  add_land_options(*run, run_flags->second);
  run->callback([&global, &exit_code, run_flags] {
    auto context = Context::create(global);
    if (!context) { exit_code = report_error(context.error()); return; }
    exit_code = run_both(**context, run_flags->first, run_flags->second, global.json);
  });
}

}  // namespace cryptolake::cli
