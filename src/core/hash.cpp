#include "core/hash.hpp"

#include <xxhash.h>

namespace cryptolake::core {

uint64_t content_hash(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

}  // namespace cryptolake::core
