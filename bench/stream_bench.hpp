// `cryptolake bench stream`: the lander, bus → raw zone → curated market_ohlcv, on simulated
// kline events (an open update and the closed candle per symbol and minute) in the local log,
// next to DuckDB making the same rows from the same events (read from a file: the peer skips the
// bus); then event-to-curated latency of `stream run` with 1 s micro-batches, the simulator at
// speed max.
#pragma once

#include <string>

#include "core/config.hpp"
#include "core/result.hpp"

namespace cryptolake::bench {

struct StreamBenchOptions {
  int64_t klines = 1'000'000;        // closed candles (twice as many messages)
  int64_t latency_klines = 100'000;  // for the latency run
  std::string work;                  // scratch folder; empty: a temp folder, removed afterwards
};

[[nodiscard]] core::Status bench_stream(const core::Config& config, const StreamBenchOptions& options);

}  // namespace cryptolake::bench
