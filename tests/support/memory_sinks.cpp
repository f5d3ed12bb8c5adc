#include "support/memory_sinks.hpp"

#include <fmt/format.h>

namespace cryptolake::testing {

core::Result<std::string> MemoryRawSink::land(std::span<const core::Envelope> envelopes) {
  std::lock_guard lock(mutex_);
  const std::string where = fmt::format("memory/{}", envelopes_.size());
  envelopes_.insert(envelopes_.end(), envelopes.begin(), envelopes.end());
  return where;
}

core::Result<std::string> MemoryRawSink::land_file(const io::RawFile& file) {
  std::lock_guard lock(mutex_);
  std::string where = fmt::format("memory/{}/{}/{}/{}", file.source, file.dataset, file.day, file.name);
  files_[where] = std::string(file.bytes);
  return where;
}

std::vector<core::Envelope> MemoryRawSink::envelopes() const {
  std::lock_guard lock(mutex_);
  return envelopes_;
}

std::vector<core::Envelope> MemoryRawSink::of(std::string_view dataset) const {
  std::lock_guard lock(mutex_);
  std::vector<core::Envelope> matching;
  for (const core::Envelope& e : envelopes_) {
    if (e.dataset == dataset) matching.push_back(e);
  }
  return matching;
}

std::map<std::string, std::string> MemoryRawSink::files() const {
  std::lock_guard lock(mutex_);
  return files_;
}

std::optional<std::string> MemoryCheckpoints::load(std::string_view name) const {
  std::lock_guard lock(mutex_);
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

core::Status MemoryCheckpoints::save(std::string_view name, std::string_view value) {
  std::lock_guard lock(mutex_);
  values_[std::string(name)] = std::string(value);
  return {};
}

}  // namespace cryptolake::testing
