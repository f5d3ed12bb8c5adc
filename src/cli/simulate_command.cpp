#include <fmt/format.h>

#include "cli/commands.hpp"
#include "io/real/progress_line.hpp"
#include "cli/simulation_options.hpp"
#include "core/decimal.hpp"
#include "core/symbol.hpp"
#include "lake/raw_zone.hpp"
#include "lake/layout.hpp"

namespace cryptolake::cli {

void SimulationFlags::add_to(CLI::App& command) {
  command.add_option("--days", days, "Days of 1-minute klines to simulate (default 30)")->check(CLI::Range(1, 3650));
  command.add_option("--symbols", symbols, "How many of the default symbols (1-8), or a list like BTC-USDT,ETH-USDT");
  command.add_option("--seed", seed, "Seed; the same seed gives the same data set (default 42)")->check(CLI::NonNegativeNumber);
  command.add_option("--start", start, "First simulated UTC day, YYYY-MM-DD (default 2024-01-01)");
  command.add_option("--lead-minutes", lead_minutes,
                     "How far post tone runs ahead of price (negative: behind); default 60");
}

core::Status SimulationFlags::apply(core::SimulatorConfig& config) const {
  if (days > 0) config.days = days;
  if (seed >= 0) config.seed = static_cast<uint64_t>(seed);
  if (!start.empty()) {
    if (!core::Timestamp::parse_date(start) || start.size() != 10) {
      return core::fail(core::ErrorCode::invalid_argument, "--start '{}' is not a YYYY-MM-DD date", start);
    }
    config.start = start;
  }
  if (lead_minutes != (1 << 30)) config.sentiment_lead_minutes = lead_minutes;
  if (symbols.empty()) return {};
  if (const auto count = core::parse_int(symbols)) {
    const core::SimulatorConfig defaults;
    if (*count < 1 || *count > static_cast<int64_t>(defaults.symbols.size())) {
      return core::fail(core::ErrorCode::invalid_argument, "--symbols {}: give 1 to {} or a list of symbols", *count,
                        defaults.symbols.size());
    }
    config.symbols.assign(defaults.symbols.begin(), defaults.symbols.begin() + *count);
    return {};
  }
  config.symbols.clear();
  for (const auto& part : CLI::detail::split(symbols, ',')) {
    TRY_ASSIGN(const core::Symbol symbol, core::Symbol::parse(CLI::detail::trim_copy(part)));
    config.symbols.push_back(symbol.canonical());
  }
  return {};
}

core::Result<sources::simulator::SimulationReport> simulate_into(lake::ObjectStore& store,
                                                                const core::SimulatorConfig& config) {
  // A new simulation replaces the previous one, so the lake holds one consistent data set.
  for (const std::string& prefix : {lake::layout::raw_prefix("simulator"), lake::layout::quarantine_prefix("simulator")}) {
    TRY_ASSIGN(const std::vector<std::string> keys, store.list(prefix));
    for (const std::string& key : keys) TRY(store.remove(key));
  }
  lake::RawZoneWriter writer(store);
  io::ProgressLine progress("simulate");
  sources::simulator::SimulationOptions options;
  options.config = config;
  TRY_ASSIGN(auto report, sources::simulator::run_simulation(options, writer, [&](size_t d, size_t t) {
    progress.update(d, t);
  }));
  TRY(store.put(lake::layout::kSimulatorManifestKey, report.to_json()));
  return report;
}

std::string describe(const sources::simulator::SimulationReport& r) {
  return fmt::format(
      "simulated {} symbols × {} minutes from {}: {} klines ({} duplicates, {} late, {} gap minutes), {} posts "
      "({} repeated), {} malformed records injected; {} raw batches\n",
      r.symbols.size(), r.minutes, r.start.date(), r.klines, r.duplicates, r.late,
      r.gaps.empty() ? 0 : static_cast<size_t>(r.gaps.size() * static_cast<size_t>(r.gaps[0].minutes)), r.posts,
      r.post_duplicates, r.malformed.size(), r.batches);
}

void add_simulate_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("simulate", "Generate market and social data into the raw zone (no ETL)");
  command->footer(
      "Examples:\n"
      "  cryptolake simulate --days 7 --symbols 4\n"
      "  cryptolake simulate --symbols BTC-USDT,ETH-USDT --seed 7 --lake /tmp/lake");
  auto flags = std::make_shared<SimulationFlags>();
  flags->add_to(*command);
  command->callback([&global, &exit_code, flags] {
    auto context = Context::create_writer(global, "simulate");
    if (!context) { exit_code = report_error(context.error()); return; }
    core::SimulatorConfig config = (*context)->config().simulator;
    if (auto status = flags->apply(config); !status) { exit_code = report_error(status.error()); return; }
    auto report = simulate_into((*context)->store(), config);
    if (!report) { exit_code = report_error(report.error()); return; }
    if (global.json) fmt::print("{}\n", report->to_json());
    else fmt::print("{}", describe(*report));
    exit_code = 0;
  });
}

}  // namespace cryptolake::cli
