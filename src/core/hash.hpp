// FNV-1a: a small, stable 64-bit hash for content-derived names, fingerprints and ids (not for
// security). Stable across runs and platforms, which std::hash is not.
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

}  // namespace cryptolake::core
