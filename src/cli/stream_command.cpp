// `cryptolake stream collect|land`: live sources into the bus, and the bus into the raw zone.
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "core/excerpt.hpp"
#include "io/real/progress_line.hpp"
#include "stream/collect.hpp"
#include "stream/land.hpp"

namespace cryptolake::cli {

namespace {

struct CollectFlags {
  std::string source;
  std::string speed = "1";
  std::string bus;
};

// The capture named by --source replay:PATH and the pace from --speed; `text` keeps its bytes.
core::Result<std::pair<sources::binance::Capture, sources::binance::ReplayOptions>> read_replay(const CollectFlags& flags, std::string& text) {
  if (!flags.source.starts_with("replay:")) {
    return core::fail(core::ErrorCode::invalid_argument, "--source '{}': only replay:PATH is here so far (binance and simulator come next)",
                      core::excerpt(flags.source));
  }
  sources::binance::ReplayOptions options;
  if (flags.speed == "max") {
    options.speed = 0;
  } else {
    try {
      options.speed = std::stod(flags.speed);
    } catch (const std::exception&) {
      options.speed = -1;
    }
    if (!(options.speed > 0)) return core::fail(core::ErrorCode::invalid_argument, "--speed takes a positive number or max");
  }
  const std::string path = flags.source.substr(7);
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::ErrorCode::not_found, "cannot read {}", path);
  std::stringstream bytes;
  bytes << in.rdbuf();
  text = bytes.str();
  TRY_ASSIGN(sources::binance::Capture capture, sources::binance::read_capture(text));
  for (const std::string& problem : capture.problems) fmt::print(stderr, "{}: skipped {}\n", path, problem);
  if (capture.skipped > capture.problems.size()) fmt::print(stderr, "{}: and {} more lines skipped\n", path, capture.skipped - capture.problems.size());
  return std::make_pair(std::move(capture), options);
}

int run_collect(Context& ctx, const CollectFlags& flags, bool json) {
  std::string text;
  auto replay = read_replay(flags, text);
  if (!replay) return report_error(replay.error());
  const auto& [capture, options] = *replay;
  auto bus = ctx.open_bus(flags.bus);
  if (!bus) return report_error(bus.error());
  auto report = stream::collect_replay(capture, options, ctx.clock(), **bus, ctx.config().bus.topic_prefix, interrupt_token());
  if (!report) return report_error(report.error());
  if (json) {
    std::string datasets;
    for (const auto& [dataset, count] : report->by_dataset) datasets += fmt::format("{}\"{}\":{}", datasets.empty() ? "" : ",", dataset, count);
    fmt::print("{{\"topic\":\"{}\",\"messages\":{},\"skipped_lines\":{},\"by_dataset\":{{{}}}}}\n", report->topic, report->messages,
               capture.skipped, datasets);
  } else {
    std::string datasets;
    for (const auto& [dataset, count] : report->by_dataset) datasets += fmt::format("{}{} {}", datasets.empty() ? "" : ", ", dataset, count);
    fmt::print(stderr, "stream collect: {} messages → {} on the {} ({})\n", report->messages, report->topic, (*bus)->describe(), datasets);
  }
  // Every line of the capture went in, or the skipped ones were named above.
  return capture.skipped == 0 ? 0 : 3;
}

struct LandFlags {
  stream::LandOptions options;
  std::string bus;
  double exit_when_idle = -1;
};

void add_land_options(CLI::App& command, LandFlags& flags) {
  command.add_option("--group", flags.options.group, "Consumer group (default lander)");
  command.add_option("--max-records", flags.options.max_records, "Records per micro-batch at most (default 10000)")->check(CLI::Range(1, 10'000'000));
  command.add_option("--max-wait-ms", flags.options.max_wait_ms, "Longest a micro-batch waits to fill (default 1000)")->check(CLI::Range(1, 600'000));
  command.add_option("--exit-when-idle", flags.exit_when_idle, "Seconds without a record after which to exit")->check(CLI::NonNegativeNumber);
}

// The lander's options: the flags, and the topic prefix of the config.
stream::LandOptions land_options(Context& ctx, const LandFlags& flags) {
  stream::LandOptions options = flags.options;
  options.topic_prefix = ctx.config().bus.topic_prefix;
  options.exit_when_idle_ms = flags.exit_when_idle < 0 ? -1 : static_cast<int64_t>(flags.exit_when_idle * 1000);
  return options;
}

int run_land(Context& ctx, const LandFlags& flags, bool json) {
  auto bus = ctx.open_bus(flags.bus);
  if (!bus) return report_error(bus.error());
  io::ProgressLine progress("land");
  auto report = stream::land_stream(**bus, ctx.store(), land_options(ctx, flags), interrupt_token(), [&](const stream::LandReport& r) {
    progress.update(r.records, 0, fmt::format("{} records, {} raw batches", r.records, r.raw_objects));
  });
  if (!report) return report_error(report.error());
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
  return 0;
}

int run_both(Context& ctx, const CollectFlags& collect, const LandFlags& land, bool json) {
  std::string text;
  auto replay = read_replay(collect, text);
  if (!replay) return report_error(replay.error());
  auto bus = ctx.open_bus(collect.bus);
  if (!bus) return report_error(bus.error());
  io::ProgressLine progress("stream");
  auto report = stream::run_replay(replay->first, replay->second, land_options(ctx, land), ctx.clock(), **bus, ctx.store(), interrupt_token(),
                                   [&](const stream::LandReport& r) { progress.update(r.records, 0, fmt::format("{} records landed", r.records)); });
  if (!report) return report_error(report.error());
  if (json) {
    fmt::print("{{\"messages\":{},\"records_landed\":{},\"raw_batches\":{}}}\n", report->collected.messages, report->landed.records,
               report->landed.raw_objects);
  } else {
    fmt::print(stderr, "stream run: {} messages collected, {} records landed in {} raw batches through the {}\n", report->collected.messages,
               report->landed.records, report->landed.raw_objects, (*bus)->describe());
  }
  return replay->first.skipped == 0 ? 0 : 3;
}

}  // namespace

void add_stream_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("stream", "Real-time data through the bus (local log or Kafka)");
  command->require_subcommand(1);
  auto flags = std::make_shared<CollectFlags>();
  auto* collect = command->add_subcommand("collect", "A live source into the bus topic <prefix>.raw, every message as received");
  collect->footer(
      "Sources: replay:PATH replays a recorded Binance WebSocket session — a cryptofeed capture ('<epoch>: <message>'\n"
      "lines after the URL line) or NDJSON messages with received_at or E — at its recorded pace, --speed N times\n"
      "faster, or --speed max. Messages land as envelopes keyed by source/dataset/symbol (ws_kline, ws_trade,\n"
      "ws_aggtrade, ws_bookticker, ws_depth). Exit 0: every line went in; 3: some lines were not messages (named).\n"
      "Examples:\n"
      "  cryptolake stream collect --source replay:capture.txt --speed max\n"
      "  cryptolake stream collect --source replay:capture.ndjson --speed 10 --bus mock://3\n"
      "  cryptolake stream collect --source replay:capture.txt --bus kafka://broker1:9092,broker2:9092");
  collect->add_option("--source", flags->source, "replay:PATH")->required();
  collect->add_option("--speed", flags->speed, "Replay pace: 1 = as recorded (default), N = N times faster, max = at once");
  collect->add_option("--bus", flags->bus, "local (the lake's _log/), kafka://host:port[,host:port] or mock://N (default bus.url)");
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
  run->footer(
      "The lander runs until the source has ended and nothing came for --exit-when-idle seconds (default 1).\n"
      "Examples:\n"
      "  cryptolake stream run --source replay:capture.txt --speed max && cryptolake etl\n"
      "  cryptolake stream run --source replay:capture.txt --speed 10 --bus mock://3");
  run->add_option("--source", run_flags->first.source, "replay:PATH")->required();
  run->add_option("--speed", run_flags->first.speed, "Replay pace: 1 = as recorded (default), N = N times faster, max = at once");
  run->add_option("--bus", run_flags->first.bus, "local (the lake's _log/), kafka://host:port[,host:port] or mock://N (default bus.url)");
  add_land_options(*run, run_flags->second);
  run->callback([&global, &exit_code, run_flags] {
    auto context = Context::create(global);
    if (!context) { exit_code = report_error(context.error()); return; }
    exit_code = run_both(**context, run_flags->first, run_flags->second, global.json);
  });
}

}  // namespace cryptolake::cli
