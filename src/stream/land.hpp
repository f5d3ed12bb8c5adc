// Bus → raw zone, exactly once: what `stream land` runs. Records of <prefix>.raw are taken in
// micro-batches (up to max_records, or what came within max_wait); each bus partition's records
// land as raw batches, one per source and dataset, and the group's offsets are committed only
// once those batches are durable. Between the two, an intent per partition
// (_catalog/landing/<group>/<topic>/<partition>) names the batches being landed, so a lander
// killed at any moment, or a member taking the partition over, finishes or undoes it: a landing
// that was complete is committed, one cut short is removed and read again. Every record ends up
// in the raw zone once; the transform takes it from there (etl; incrementally).
#pragma once

#include <stop_token>
#include <string>

#include "bus/bus.hpp"
#include <functional>
#include "lake/object_store.hpp"

namespace cryptolake::stream {

struct LandOptions {
  std::string group = "lander";
  std::string topic_prefix = "cryptolake";
  size_t max_records = 10000;
  int64_t max_wait_ms = 1000;
  int64_t exit_when_idle_ms = -1;  // ≥ 0: return after this long without a record
  std::function<bool()> still_producing = {};  // when given and true, idleness does not end the run
};

struct LandReport {
  size_t batches = 0;      // micro-batches committed
  size_t records = 0;      // records landed
  size_t raw_objects = 0;  // raw batches written
  size_t undone = 0;       // raw batches of an interrupted landing removed
  size_t finished = 0;     // interrupted landings found complete and committed
};

// Called after each committed micro-batch (progress, metrics).
using LandProgress = std::function<void(const LandReport&)>;

[[nodiscard]] core::Result<LandReport> land_stream(bus::Bus& bus, lake::ObjectStore& store, const LandOptions& options,
                                                   std::stop_token stop = {}, const LandProgress& progress = {});

}  // namespace cryptolake::stream
