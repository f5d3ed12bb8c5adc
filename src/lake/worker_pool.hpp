// Runs one piece of work on `threads` threads at once (the caller's among them) and waits for
// all: the one way the lake's writers and transforms fan out. Each call gets its worker index,
// 0 … threads-1, for per-thread state (a DuckDB connection, a parser, row buffers).
#pragma once

#include <algorithm>
#include <functional>
#include <thread>
#include <vector>

namespace cryptolake::lake {

inline void run_on_threads(size_t threads, const std::function<void(size_t worker)>& work) {
  std::vector<std::jthread> workers;
  for (size_t t = 1; t < std::max<size_t>(1, threads); ++t) workers.emplace_back(work, t);
  work(0);
}

}  // namespace cryptolake::lake
