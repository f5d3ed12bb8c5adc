// Sources land into the bus through the port they land into the raw zone with: each envelope
// becomes one record of the topic, keyed "<source>/<dataset>/<symbol>" (the request's "symbol"
// when it has one) so one symbol's messages of a dataset stay in order, valued by its NDJSON line
// (core::envelope_line), exactly what the raw zone would hold. Records become durable in
// batches: every `batch` records or `max_delay` on the clock, whichever comes first, and flush().
#pragma once

#include <mutex>
#include <optional>

#include "bus/bus.hpp"
#include "io/clock.hpp"
#include "io/raw_sink.hpp"

namespace cryptolake::bus {

class BusRawSink final : public io::RawSink {
 public:
  BusRawSink(Producer& producer, std::string topic, io::Clock& clock, size_t batch = 1000, int64_t max_delay_micros = 1'000'000)
      : producer_(producer), topic_(std::move(topic)), clock_(clock), batch_(batch), max_delay_(max_delay_micros) {}

  [[nodiscard]] core::Result<std::string> land(std::span<const core::Envelope> envelopes) override;
  // Bulk files stay out of the bus: `import` lands them in the raw zone.
  [[nodiscard]] core::Result<std::string> land_file(const io::RawFile& file) override;

  [[nodiscard]] core::Status flush();
  size_t records() const { return records_; }

 private:
  [[nodiscard]] core::Status flush_locked();

  Producer& producer_;
  std::string topic_;
  io::Clock& clock_;
  size_t batch_;
  int64_t max_delay_;
  std::mutex mutex_;
  size_t records_ = 0;
  size_t unflushed_ = 0;
  core::Timestamp oldest_unflushed_;
};

// The record key of an envelope: "<source>/<dataset>/<symbol>".
std::string record_key(const core::Envelope& envelope);

// A record key read back: its source and dataset, or nothing when it is not such a key.
struct RecordKey {
  std::string source, dataset;
};
std::optional<RecordKey> parse_record_key(std::string_view key);

}  // namespace cryptolake::bus
