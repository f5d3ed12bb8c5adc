// Bus → raw zone, exactly once: what `stream land` runs. Records of <prefix>.raw are taken in
// micro-batches (up to max_records, or what came within max_wait); each bus partition's records
// land as raw batches, per source and dataset (cut at raw_batch_bytes), and the group's offsets are committed only
// once those batches are durable. Between the two, an intent per partition
// (_catalog/landing/<group>/<topic>/<partition>) names the batches being landed, so a lander
// killed at any moment, or a member taking the partition over, finishes or undoes it: a landing
// that was complete is committed, one cut short is removed and read again. Every record ends up
// in the raw zone once. With options.curate, the curated rows of a micro-batch are durable before its
// offsets are committed too; they derive from the raw zone alone (dedup by key, days rebuilt from all
// their rows), so a killed lander's successor makes the same rows.
#pragma once

#include <stop_token>
#include <string>

#include "bus/bus.hpp"
#include <functional>
#include <memory>
#include "io/clock.hpp"
#include "lake/object_store.hpp"
#include "stream/stream_metrics.hpp"

namespace cryptolake::stream {

struct LandOptions {
  std::string group = "lander";
  std::string topic_prefix = "cryptolake";
  size_t max_records = 10000;
  size_t threads = 2;  // raw batches built, compressed and written at once
  // A partition's records of one source and dataset are cut into raw batches of about this much
  // text, so a large micro-batch lands and is curated on all threads, not one per partition.
  size_t raw_batch_bytes = size_t{8} << 20;
  int64_t max_wait_ms = 1000;
  int64_t exit_when_idle_ms = -1;  // ≥ 0: return after this long without a record
  std::function<bool()> still_producing = {};  // when given and true, idleness does not end the run
  // Makes curated rows of what landed (market_ohlcv, trades, quotes): run after a micro-batch's
  // raw batches are durable and before its offsets are committed, and once at the start for what
  // an interrupted lander landed. Empty: raw only (etl transforms later).
  std::function<core::Status()> curate = {};
  // Held from a partition's landing intent to its commit, and taken before an intent is resolved,
  // so a member that lost the partition in a rebalance and the one that got it never land it at
  // once (the second waits for the first to finish or die). Empty: no such fencing (tests of one lander).
  std::function<core::Result<std::shared_ptr<void>>(const std::string& topic, int32_t partition)> hold_partition = {};
  // When given: records out per dataset, lag per partition, and (with the clock) event-to-curated
  // latency, from each record's bus timestamp to the end of its micro-batch's curation.
  StreamMetrics* metrics = nullptr;
  io::Clock* clock = nullptr;
};

struct LandReport {
  size_t batches = 0;      // micro-batches committed
  size_t records = 0;      // records landed
  size_t raw_objects = 0;  // raw batches written
  size_t undone = 0;       // raw batches of an interrupted landing removed
  size_t finished = 0;     // interrupted landings found complete and committed
  size_t curations = 0;    // curate runs
  size_t commits_refused = 0;  // left to the partition's next owner (a rebalance moved it)
};

// Called after each committed micro-batch (progress, metrics).
using LandProgress = std::function<void(const LandReport&)>;

[[nodiscard]] core::Result<LandReport> land_stream(bus::Bus& bus, lake::ObjectStore& store, const LandOptions& options,
                                                   std::stop_token stop = {}, const LandProgress& progress = {});

}  // namespace cryptolake::stream
