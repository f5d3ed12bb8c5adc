// What the end-to-end benchmarks share: a stopwatch, and the raw batches of a dataset as one
// NDJSON file for DuckDB, the peer, to read.
#pragma once

#include <chrono>
#include <filesystem>
#include <string_view>

#include "core/result.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::bench {

// The process's peak resident memory since the last reset (Linux: VmHWM, reset through clear_refs),
// so each side of a benchmark run in one process reports its own peak.
void reset_peak_rss();
size_t peak_rss_bytes();
size_t current_rss_bytes();

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Every raw batch of raw/<source>/<dataset>/ decompressed into `out`; returns the bytes written.
[[nodiscard]] core::Result<size_t> decompress_batches(const lake::ObjectStore& store, std::string_view source, std::string_view dataset,
                                                      const std::filesystem::path& out);

}  // namespace cryptolake::bench
