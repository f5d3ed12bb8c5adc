// FNV-1a: a small, stable 64-bit hash for content-derived names, fingerprints and ids (not for
// security). Stable across runs and platforms, which std::hash is not. Byte at a time: for short
// keys; content_hash for texts of megabytes.
#pragma once

#include <cstdint>
#include <string_view>

namespace cryptolake::core {

inline constexpr uint64_t kFnvOffset = 1469598103934665603ULL;

inline uint64_t fnv1a(std::string_view bytes, uint64_t hash = kFnvOffset) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

// XXH3-64 of `bytes`: a content name for large texts (raw batches), ~20× FNV-1a's speed at a
// megabyte and up. Stable across runs, platforms and xxHash releases (XXH3's output is frozen).
uint64_t content_hash(std::string_view bytes);

}  // namespace cryptolake::core
