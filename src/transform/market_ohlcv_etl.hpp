// raw klines (REST pages, archive dumps, closed WebSocket candles) → curated market_ohlcv: schema enforced by the kline parser, canonical symbols,
// UTC µs times, dedup by (source, symbol, interval, open_time) with the latest received winning,
// one zstd Parquet file per UTC day of open_time, rows ordered by (source, symbol, interval,
// open_time). Rebuilds every partition it has raw data for, or incrementally only the days new raw
// objects touch; a re-run gives the same bytes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lake/curated_writer.hpp"
#include "lake/duckdb.hpp"
#include "lake/write_stats.hpp"
#include "transform/raw_scan.hpp"

namespace cryptolake::transform {

// The columns of market_ohlcv, in file order (dt comes from the partition path).
const std::vector<lake::ColumnSpec>& market_ohlcv_schema();

struct EtlOptions {
  size_t threads = 2;
  ScanProgress progress;
  // Incremental runs (transform/incremental_scan): the ledger the last complete run left, or
  // nothing to rebuild every partition; `now_consumed`, when given, receives this run's ledger.
  std::optional<std::string> consumed = std::nullopt;
  std::string* now_consumed = nullptr;
  // Memory for the candles held at once (market_ohlcv): beyond it they wait in spill files by day
  // (lake/day_spill, under TMPDIR) and are deduplicated and written a group of days at a time.
  size_t memory_bytes = size_t{1} << 30;
};

[[nodiscard]] core::Result<lake::WriteStats> run_market_ohlcv_etl(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                          const EtlOptions& options);

}  // namespace cryptolake::transform
