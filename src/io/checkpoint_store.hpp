// The port sources keep their resume points through (e.g. the next kline to request), so a
// killed run resumes where it stopped. Names are '/'-separated and chosen by the source.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace cryptolake::io {

// Implementations are thread-safe for distinct names; a save is atomic.
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  // The saved value, or nothing when there is none yet.
  [[nodiscard]] virtual std::optional<std::string> load(std::string_view name) const = 0;
  [[nodiscard]] virtual core::Status save(std::string_view name, std::string_view value) = 0;
};

}  // namespace cryptolake::io
