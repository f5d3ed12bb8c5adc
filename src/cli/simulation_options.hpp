// Flags shared by `demo` and `simulate`: what data set to simulate.
#pragma once

#include <CLI/CLI.hpp>

#include "core/config.hpp"
#include "sources/simulator/simulator.hpp"

namespace cryptolake::cli {

struct SimulationFlags {
  int days = 0;             // 0: from config
  std::string symbols;      // a count ("4") or a list ("BTC-USDT,ETH-USDT"); empty: from config
  int64_t seed = -1;        // -1: from config
  std::string start;        // empty: from config
  int lead_minutes = 1 << 30;  // sentinel: from config

  void add_to(CLI::App& command);
  // Applies the flags over the configured simulator settings.
  [[nodiscard]] core::Status apply(core::SimulatorConfig& config) const;
};

// Simulates into the lake's raw zone, replacing an earlier simulation, and stores the manifest.
[[nodiscard]] core::Result<sources::simulator::SimulationReport> simulate_into(lake::ObjectStore& store,
                                                                              const core::SimulatorConfig& config);

std::string describe(const sources::simulator::SimulationReport& report);

}  // namespace cryptolake::cli
