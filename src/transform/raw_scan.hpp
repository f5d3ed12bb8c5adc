// Reads raw batches in parallel and hands each envelope to a dataset's handler. Lines that are
// not envelopes, and whatever a handler rejects, go to the quarantine object of their batch.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <simdjson.h>

#include "core/timestamp.hpp"
#include "lake/object_store.hpp"
#include "lake/quarantine.hpp"

namespace cryptolake::transform {

struct EnvelopeView {
  core::Timestamp received_at;
  std::string_view source;
  simdjson::dom::object request;
  simdjson::dom::element payload;
  std::string_view batch_key;
  int64_t line = 0;  // 1-based
};

struct ScanStats {
  size_t batches = 0;
  size_t envelopes = 0;
  size_t bytes = 0;  // decompressed NDJSON
  size_t quarantined = 0;
};

// Called on worker `thread` (0..threads-1) for each envelope; appends rejects for that envelope.
using EnvelopeHandler =
    std::function<void(size_t thread, const EnvelopeView& envelope, std::vector<lake::QuarantineRecord>& rejects)>;
using ScanProgress = std::function<void(size_t done, size_t total)>;

struct RawObject {
  std::string source;
  std::string dataset;
  std::string key;
  std::string version;  // "-" for a batch named by its content, else its size
};

// Every raw object of these datasets, from every source, sorted by key.
[[nodiscard]] core::Result<std::vector<RawObject>> list_raw_objects(const lake::ObjectStore& store, const std::vector<std::string>& datasets);

// Scans these batches (envelope NDJSON) as scan_raw does.
[[nodiscard]] core::Result<ScanStats> scan_batches(lake::ObjectStore& store, const std::vector<RawObject>& batches, std::string_view stage,
                                                   size_t threads, const EnvelopeHandler& handler, const ScanProgress& progress = {});

// Scans every batch of raw/<source>/<dataset>/ for every source that has the dataset; what is
// rejected goes to quarantine under `stage` (the table being built).
[[nodiscard]] core::Result<ScanStats> scan_raw(lake::ObjectStore& store, std::string_view dataset, std::string_view stage, size_t threads,
                                               const EnvelopeHandler& handler, const ScanProgress& progress = {});

}  // namespace cryptolake::transform
