// The raw zone: every response exactly as received, wrapped in an envelope saying when, from
// where and for which request, one envelope per line in immutable zstd NDJSON batches under
//   raw/<source>/<dataset>/dt=YYYY-MM-DD/hour=HH/<batch>.ndjson.zst
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/envelope.hpp"
#include "core/timestamp.hpp"
#include "io/raw_sink.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::lake {

using core::Envelope;

// Writes batches; stateless apart from the store it borrows. Thread-safe.
class RawZoneWriter final : public io::RawSink {
 public:
  explicit RawZoneWriter(ObjectStore& store) : store_(store) {}

  // Writes one immutable batch and returns its key. All envelopes must share source and dataset;
  // the batch lands in the hour partition of the first envelope. The name is derived from the
  // content, so writing the same batch twice yields the same object.
  [[nodiscard]] core::Result<std::string> land(std::span<const Envelope> envelopes) override;
  // Writes envelope lines that are already serialised (core::envelope_line, one per line, each
  // ending in '\n'), as land() does: named by content, in the hour of `received_at`.
  [[nodiscard]] core::Result<std::string> land_lines(std::string_view source, std::string_view dataset, core::Timestamp received_at,
                                                     std::string_view text);
  // The same under a key raw_batch_key_for() gave for these lines (computed once by a lander),
  // compressed at zstd `level` (land_lines: 3; a lander's market events pack as well at 1, faster).
  [[nodiscard]] core::Status land_lines_at(const std::string& key, std::string_view text, int level = kLevel);

  static constexpr int kLevel = 3;
  // Stores the file byte for byte at raw/<source>/<dataset>/dt=<day>/<name>.
  [[nodiscard]] core::Result<std::string> land_file(const io::RawFile& file) override;

 private:
  ObjectStore& store_;
};

// Where land_lines() puts these lines: the key is known before writing (a lander records it first).
std::string raw_batch_key_for(std::string_view source, std::string_view dataset, core::Timestamp received_at, std::string_view text);

// Lists and opens batches. Thread-safe.
class RawZoneReader {
 public:
  explicit RawZoneReader(const ObjectStore& store) : store_(store) {}

  [[nodiscard]] core::Result<std::vector<std::string>> list_batches(std::string_view source,
                                                                   std::string_view dataset) const;
  // Sources that have a given dataset (e.g. every source with "klines").
  [[nodiscard]] core::Result<std::vector<std::string>> sources_with(std::string_view dataset) const;
  // The decompressed NDJSON text of a batch.
  [[nodiscard]] core::Result<std::string> read_batch(std::string_view key) const;

 private:
  const ObjectStore& store_;
};


}  // namespace cryptolake::lake
