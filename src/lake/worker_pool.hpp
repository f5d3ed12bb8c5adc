// Runs one piece of work on `threads` threads at once (the caller's among them) and waits for
// all: the one way the lake's writers and transforms fan out. Each call gets its worker index,
// 0 … threads-1, for per-thread state (a DuckDB connection, a parser, row buffers).
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace cryptolake::lake {

inline void run_on_threads(size_t threads, const std::function<void(size_t worker)>& work) {
  std::vector<std::jthread> workers;
  for (size_t t = 1; t < std::max<size_t>(1, threads); ++t) workers.emplace_back(work, t);
  work(0);
}

// work(worker, i) for every i in [0, n), on up to `threads` threads taking the next i as they
// finish one: uneven items balance themselves.
inline void for_each_on_threads(size_t threads, size_t n, const std::function<void(size_t worker, size_t i)>& work) {
  std::atomic<size_t> next{0};
  run_on_threads(std::min(std::max<size_t>(1, threads), std::max<size_t>(1, n)), [&](size_t worker) {
    for (size_t i = next++; i < n; i = next++) work(worker, i);
  });
}

// std::sort on up to `threads` threads: each sorts a contiguous part, then the parts are merged.
// The order is std::sort's for any strict total order (equal elements may land either way round
// otherwise, as with std::sort).
template <typename T, typename Less = std::less<>>
void parallel_sort(std::vector<T>& items, size_t threads, Less less = {}) {
  constexpr size_t kSmallest = 1 << 16;  // below this, a thread costs more than it saves
  threads = std::clamp<size_t>(items.size() / kSmallest, 1, std::max<size_t>(1, threads));
  std::vector<size_t> bounds;
  for (size_t t = 0; t <= threads; ++t) bounds.push_back(items.size() * t / threads);
  const auto at = [&](size_t part) { return items.begin() + static_cast<std::ptrdiff_t>(bounds[std::min(part, threads)]); };
  run_on_threads(threads, [&](size_t t) { std::sort(at(t), at(t + 1), less); });
  for (size_t width = 1; width < threads; width *= 2) {
    for (size_t t = 0; t + width < threads; t += 2 * width) std::inplace_merge(at(t), at(t + width), at(t + 2 * width), less);
  }
}

}  // namespace cryptolake::lake
