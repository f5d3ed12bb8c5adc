// The raw zone: every response exactly as received, wrapped in an envelope saying when, from
// where and for which request, one envelope per line in immutable zstd NDJSON batches under
//   raw/<source>/<dataset>/dt=YYYY-MM-DD/hour=HH/<batch>.ndjson.zst
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/timestamp.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::lake {

struct Envelope {
  core::Timestamp received_at;
  std::string source;   // "binance", "simulator", …: lowercase, no '/'
  std::string dataset;  // "klines", "tweets", …
  std::string request;  // a JSON object describing the request (endpoint, parameters)
  std::string payload;  // the response body, exactly as received
  // A body that is not one line of valid JSON (pretty-printed, truncated, an HTML error page) is
  // kept byte for byte as a JSON string under "payload_text" instead, so the line stays NDJSON;
  // the transform parses it from there, or quarantines it.
  bool payload_is_json = true;
};

// Writes batches; stateless apart from the store it borrows. Thread-safe.
class RawZoneWriter {
 public:
  explicit RawZoneWriter(ObjectStore& store) : store_(store) {}

  // Writes one immutable batch and returns its key. All envelopes must share source and dataset;
  // the batch lands in the hour partition of the first envelope. The name is derived from the
  // content, so writing the same batch twice yields the same object.
  [[nodiscard]] core::Result<std::string> write_batch(std::span<const Envelope> envelopes);

 private:
  ObjectStore& store_;
};

// Serialises one envelope as a single NDJSON line (without the newline).
std::string envelope_line(const Envelope& envelope);

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

std::string raw_prefix(std::string_view source, std::string_view dataset);

}  // namespace cryptolake::lake
