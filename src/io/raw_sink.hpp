// The port sources land what they receive through: the raw zone writer today, the bus next.
// Sources never learn where or how it is stored; they get back where it landed, for messages
// and for linking a parsed row to its batch.
#pragma once

#include <span>
#include <string>

#include "core/envelope.hpp"
#include "core/result.hpp"

namespace cryptolake::io {

// A file kept as it came (a bulk archive), filed under its source, dataset and first day.
struct RawFile {
  std::string source;   // "binance", "binance_um", …
  std::string dataset;  // "archive"
  std::string day;      // YYYY-MM-DD
  std::string name;     // the object's own name, e.g. BTCUSDT-1m-2024-01.zip
  std::string_view bytes;
};

// Implementations are thread-safe.
class RawSink {
 public:
  virtual ~RawSink() = default;
  // Lands one batch whose envelopes share source and dataset; landing the same batch twice is
  // harmless. Returns where it landed.
  [[nodiscard]] virtual core::Result<std::string> land(std::span<const core::Envelope> envelopes) = 0;
  [[nodiscard]] virtual core::Result<std::string> land_file(const RawFile& file) = 0;
};

}  // namespace cryptolake::io
