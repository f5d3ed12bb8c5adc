// glibc's malloc serves blocks above 128 KiB with fresh mmaps and unmaps them on free, so a
// process that builds and drops tens of MB per micro-batch (the lander: batch texts, compressed
// frames) pays page faults on every one — 40 % of its time in a profile. Streaming commands keep
// such blocks in the heap and let freed memory stay for reuse, up to `bytes`.
#pragma once

#include <cstddef>

namespace cryptolake::io {

void keep_large_blocks_in_heap(size_t bytes);

}  // namespace cryptolake::io
