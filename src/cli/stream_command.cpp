// `cryptolake stream collect`: live sources into the bus (the lander and the WebSocket source
// come next).
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "core/excerpt.hpp"
#include "stream/collect.hpp"

namespace cryptolake::cli {

namespace {

struct CollectFlags {
  std::string source;
  std::string speed = "1";
  std::string bus;
};

int run_collect(Context& ctx, const CollectFlags& flags, bool json) {
  if (!flags.source.starts_with("replay:")) {
    return report_error({core::ErrorCode::invalid_argument,
                         fmt::format("--source '{}': only replay:PATH is here so far (binance and simulator come next)", core::excerpt(flags.source))});
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
    if (!(options.speed > 0)) return report_error({core::ErrorCode::invalid_argument, "--speed takes a positive number or max"});
  }
  const std::string path = flags.source.substr(7);
  std::ifstream in(path, std::ios::binary);
  if (!in) return report_error({core::ErrorCode::not_found, fmt::format("cannot read {}", path)});
  std::stringstream text;
  text << in.rdbuf();
  const std::string capture_text = text.str();
  auto capture = sources::binance::read_capture(capture_text);
  if (!capture) return report_error(capture.error());
  for (const std::string& problem : capture->problems) fmt::print(stderr, "{}: skipped {}\n", path, problem);
  if (capture->skipped > capture->problems.size()) fmt::print(stderr, "{}: and {} more lines skipped\n", path, capture->skipped - capture->problems.size());
  auto bus = ctx.open_bus(flags.bus);
  if (!bus) return report_error(bus.error());
  auto report = stream::collect_replay(*capture, options, ctx.clock(), **bus, ctx.config().bus.topic_prefix, interrupt_token());
  if (!report) return report_error(report.error());
  if (json) {
    std::string datasets;
    for (const auto& [dataset, count] : report->by_dataset) datasets += fmt::format("{}\"{}\":{}", datasets.empty() ? "" : ",", dataset, count);
    fmt::print("{{\"topic\":\"{}\",\"messages\":{},\"skipped_lines\":{},\"by_dataset\":{{{}}}}}\n", report->topic, report->messages,
               capture->skipped, datasets);
  } else {
    std::string datasets;
    for (const auto& [dataset, count] : report->by_dataset) datasets += fmt::format("{}{} {}", datasets.empty() ? "" : ", ", dataset, count);
    fmt::print(stderr, "stream collect: {} messages → {} on the {} ({})\n", report->messages, report->topic, (*bus)->describe(), datasets);
  }
  // Every line of the capture went in, or the skipped ones were named above.
  return capture->skipped == 0 ? 0 : 3;
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
}

}  // namespace cryptolake::cli
