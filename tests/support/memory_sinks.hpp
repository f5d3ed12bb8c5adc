// What sources hand on, kept in memory: a RawSink and a CheckpointStore for connector tests, so
// they run without a lake (sources see core and io only).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "io/checkpoint_store.hpp"
#include "io/raw_sink.hpp"

namespace cryptolake::testing {

class MemoryRawSink final : public io::RawSink {
 public:
  core::Result<std::string> land(std::span<const core::Envelope> envelopes) override;
  core::Result<std::string> land_file(const io::RawFile& file) override;

  std::vector<core::Envelope> envelopes() const;
  // Envelopes of one dataset, in landing order.
  std::vector<core::Envelope> of(std::string_view dataset) const;
  std::map<std::string, std::string> files() const;  // where → bytes

 private:
  mutable std::mutex mutex_;
  std::vector<core::Envelope> envelopes_;
  std::map<std::string, std::string> files_;
};

class MemoryCheckpoints final : public io::CheckpointStore {
 public:
  std::optional<std::string> load(std::string_view name) const override;
  core::Status save(std::string_view name, std::string_view value) override;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace cryptolake::testing
