// The embedded default source: simulates a market and its social chatter, then lands them in
// the raw zone exactly as a collector polling Binance klines and X search would have, faults
// included. Seeded and deterministic: the same options give the same raw batches.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "io/raw_sink.hpp"

namespace cryptolake::sources::simulator {

struct SimulationOptions {
  core::SimulatorConfig config;
  int page_minutes = 60;  // klines per request: 60 = an hourly live poll, 1000 = a backfill page
  bool posts = true;
  std::string source = "simulator";
};

struct InjectedGap {
  std::string symbol;
  core::Timestamp start;
  int minutes = 0;
};

struct MalformedRecord {
  std::string dataset;  // "klines" or "tweets"
  std::string key;      // symbol@open_time for klines, the post id for tweets
  std::string kind;     // what was broken
};

struct SimulationReport {
  std::vector<std::string> symbols;  // canonical
  core::Timestamp start;
  int64_t minutes = 0;
  uint64_t seed = 0;
  size_t klines = 0;          // distinct candles sent (minutes × symbols − gaps)
  size_t kline_rows_sent = 0; // rows in payloads, duplicates and malformed copies included
  size_t duplicates = 0;      // candles re-sent later with a revised volume
  size_t late = 0;            // candles held back and sent two polls later, out of order
  size_t posts = 0;           // distinct posts
  size_t post_duplicates = 0;
  size_t envelopes = 0;
  size_t batches = 0;
  std::vector<InjectedGap> gaps;
  std::vector<MalformedRecord> malformed;

  std::string to_json() const;  // the manifest the simulate command keeps in the lake
};

// What a lake's manifest says its simulation was (symbols, first day, seed): so a live simulation
// can continue the same market.
[[nodiscard]] core::Result<core::SimulatorConfig> simulation_of_manifest(std::string_view manifest_json, core::SimulatorConfig base);

using Progress = std::function<void(size_t done, size_t total)>;

// Simulates and lands every batch through `raw`; reports what was injected.
[[nodiscard]] core::Result<SimulationReport> run_simulation(const SimulationOptions& options,
                                                            io::RawSink& raw, const Progress& progress = {});

}  // namespace cryptolake::sources::simulator
