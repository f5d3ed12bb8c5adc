// The port to storage: a flat namespace of immutable objects under '/'-separated keys.
// Local directories implement it now; S3-compatible stores later.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace cryptolake::lake {

// Implementations are thread-safe for distinct keys.
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Writes the whole object atomically: readers see the previous object or the new one, never a part.
  [[nodiscard]] virtual core::Status put(std::string_view key, std::string_view bytes) = 0;
  [[nodiscard]] virtual core::Result<std::string> get(std::string_view key) const = 0;
  // Keys under `prefix`, sorted. Objects still being written and staging areas are never listed.
  [[nodiscard]] virtual core::Result<std::vector<std::string>> list(std::string_view prefix) const = 0;
  // Removes one object; removing a missing object is not an error.
  [[nodiscard]] virtual core::Status remove(std::string_view key) = 0;
  // Replaces every object under `prefix` with the files of the local directory `staged` in one step
  // readers cannot observe halfway. `staged` is consumed.
  [[nodiscard]] virtual core::Status publish_directory(const std::filesystem::path& staged, std::string_view prefix) = 0;
  // A local directory where files can be staged for publish_directory(prefix) (same file system).
  virtual std::filesystem::path staging_dir(std::string_view prefix) const = 0;
  // The file an engine such as DuckDB can read for `key`, when the store is on the local file system.
  virtual std::optional<std::filesystem::path> local_path(std::string_view key) const = 0;
};

}  // namespace cryptolake::lake
