// The port to storage: a flat namespace of immutable objects under '/'-separated keys. A local
// directory implements it now (LocalObjectStore); S3-compatible stores next. Nothing here is a
// file-system type: callers speak in keys, and an engine that reads or writes objects itself
// (DuckDB, Athena, Spark) asks for the key's location.
#pragma once

#include <cstdint>
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
  [[nodiscard]] virtual core::Result<uint64_t> size(std::string_view key) const = 0;
  // Keys under `prefix`, sorted. Objects still being written and staging areas are never listed.
  [[nodiscard]] virtual core::Result<std::vector<std::string>> list(std::string_view prefix) const = 0;
  // The prefixes one level below `prefix` (which ends in '/'), each ending in '/', sorted: S3's
  // common prefixes. Lets a reader list one dataset without walking its neighbours.
  [[nodiscard]] virtual core::Result<std::vector<std::string>> list_prefixes(std::string_view prefix) const = 0;
  // Removes one object; removing a missing object is not an error.
  [[nodiscard]] virtual core::Status remove(std::string_view key) = 0;

  // A new, empty staging area for the objects that will replace `prefix` (e.g. one partition): a
  // key prefix ending in '/', never listed, that an engine writes into through location().
  [[nodiscard]] virtual core::Result<std::string> stage(std::string_view prefix) = 0;
  // Replaces every object under `prefix` with the staged ones in one step readers cannot observe
  // halfway; the staging area is consumed.
  [[nodiscard]] virtual core::Status publish(std::string_view staged, std::string_view prefix) = 0;
  // Drops a staging area that will not be published.
  virtual void discard(std::string_view staged) = 0;
  // Removes staging areas and partial writes a killed writer left under `prefix`. Call only when
  // no writer runs (the lake lock).
  [[nodiscard]] virtual core::Status remove_stale_staging(std::string_view prefix) = 0;

  // Where an engine finds `key` (or, for a prefix ending in '/', the objects under it): an
  // absolute path for a local store, "s3://bucket/…" for S3.
  virtual std::string location(std::string_view key) const = 0;
};

}  // namespace cryptolake::lake
