#include "io/real/allocator_tuning.hpp"

#include <malloc.h>

#include <climits>
#include <algorithm>

namespace cryptolake::io {

void keep_large_blocks_in_heap(size_t bytes) {
  const int limit = static_cast<int>(std::min<size_t>(bytes, INT_MAX));
  mallopt(M_MMAP_THRESHOLD, limit);  // also stops glibc's dynamic threshold from moving it
  mallopt(M_TRIM_THRESHOLD, limit);
}

}  // namespace cryptolake::io
