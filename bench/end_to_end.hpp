// End-to-end benchmarks: cryptolake against DuckDB doing the same job in the same run, on the
// same data, threads and machine; each prints both times, the ratio and rows/s, and checks that
// both sides wrote the same rows. `cryptolake bench …` runs them; BENCHMARKS.md records results.
#pragma once

#include <string>

#include "core/config.hpp"
#include "core/result.hpp"

namespace cryptolake::bench {

struct BenchOptions {
  int64_t rows = 5'000'000;
  std::string work;  // scratch folder; empty: a temp folder, removed afterwards
  bool keep = false;
  bool features = false;  // etl: also market_features against DuckDB window SQL
  int symbols = 20;       // import: symbols × one month of 1-minute klines
};

// raw kline NDJSON.zst → curated market_ohlcv (and features) vs DuckDB alone.
[[nodiscard]] core::Status bench_etl(const core::Config& config, const BenchOptions& options);
// data.binance.vision CSVs → market_ohlcv vs DuckDB read_csv + COPY.
[[nodiscard]] core::Status bench_import(const core::Config& config, const BenchOptions& options);
// A posts CSV → posts rows vs DuckDB read_csv.
[[nodiscard]] core::Status bench_posts(const core::Config& config, const BenchOptions& options);

}  // namespace cryptolake::bench
