// The completeness ledger of candles: for every (source, symbol, interval) series, the candles
// expected between its first and last open time versus those present — per UTC day in
// `completeness`, and every missing span in `gaps` with its class:
//   missing           seen missing in fetched history, not re-checked yet
//   missing_upstream  refetched (ingest --repair) and still not served: an exchange outage
//   filled            listed before and present now
// The ledger of classes lives in _catalog/gaps/ledger.tsv so classes survive re-runs.
#pragma once

#include <string>
#include <vector>

#include "core/timestamp.hpp"
#include "lake/curated_writer.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "lake/write_stats.hpp"

namespace cryptolake::analytics {

struct KlineGap {
  std::string source, symbol, interval;
  core::Timestamp start;  // first missing open time
  core::Timestamp end;    // open time of the next present candle (exclusive)
  int64_t missing = 0;    // candles
  std::string gap_class;  // missing | missing_upstream | filled
};

// Finds the gaps in market_ohlcv now (fixed-length intervals only; calendar months are skipped).
[[nodiscard]] core::Result<std::vector<KlineGap>> find_kline_gaps(lake::ObjectStore& store, lake::DuckDb& duckdb);

// The ledger's previous entries.
[[nodiscard]] core::Result<std::vector<KlineGap>> read_gap_ledger(const lake::ObjectStore& store);
[[nodiscard]] core::Status write_gap_ledger(lake::ObjectStore& store, const std::vector<KlineGap>& gaps);

// Merges what is missing now with the ledger: gaps gone are `filled`, `missing_upstream` stays.
std::vector<KlineGap> merge_gaps(const std::vector<KlineGap>& previous, const std::vector<KlineGap>& current);

// Marks gaps that were just refetched and are still missing as missing_upstream.
void mark_refetched(std::vector<KlineGap>& ledger, const std::vector<KlineGap>& refetched);

// Pipeline stage: find, merge, store the ledger, write `gaps` and `completeness`.
[[nodiscard]] core::Result<lake::WriteStats> build_kline_gaps(lake::ObjectStore& store, lake::DuckDb& duckdb, size_t threads);

}  // namespace cryptolake::analytics
