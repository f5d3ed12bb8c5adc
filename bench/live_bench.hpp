// `cryptolake bench live`: the live processor (stream/live_processor) on simulated kline events in
// the local log, all 8 demo symbols, on one thread: parsing, the rolling windows, a projection for
// every symbol at every minute (polls of one minute's events, so none is skipped) and a snapshot
// per poll. Its peer is the clock: how many times faster than real time it gets through the
// minutes (the goal: 1,000×). The projections' model against scikit-learn is `bench gp`.
#pragma once

#include <cstdint>
#include <string>

#include "core/config.hpp"
#include "core/result.hpp"

namespace cryptolake::bench {

struct LiveBenchOptions {
  int64_t minutes = 1440;  // simulated minutes of the 8 symbols
  std::string work;        // scratch folder; empty: a temp folder, removed afterwards
};

[[nodiscard]] core::Status bench_live(const core::Config& config, const LiveBenchOptions& options);

}  // namespace cryptolake::bench
