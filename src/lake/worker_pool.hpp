// Runs one piece of work on `threads` threads at once (the caller's among them) and waits for
// all: the one way the lake's writers and transforms fan out. Each call gets its worker index,
// 0 … threads-1, for per-thread state (a DuckDB connection, a parser, row buffers).
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <ranges>
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

// How bucket_sort sorts where the buckets are sparse or few: parallel_sort, whose merge takes a
// buffer of up to half the items, or std::sort in place, for items too big to hold twice.
enum class SortFallback { parallel_merge, in_place };

// As parallel_sort, for items whose order begins with a small integer, `bucket_of(item)` (a day):
// the items are counted on the threads and moved into their buckets in place (each move puts one
// item where it stays; no copy of them is held), then each bucket is sorted alone, the threads
// taking the next bucket as they finish one. No merge, and one thread never sorts alone while the
// other waits, as a half that sorted slower than the other made parallel_sort do. `less` must
// order by bucket first.
template <typename T, typename BucketOf, typename Less = std::less<>>
void bucket_sort(std::vector<T>& items, size_t threads, const BucketOf& bucket_of, Less less = {},
                 SortFallback fallback = SortFallback::parallel_merge) {
  if (items.empty()) return;
  const auto [lowest, highest] = std::ranges::minmax(items | std::views::transform([&](const T& item) { return bucket_of(item); }));
  const auto buckets = static_cast<size_t>(highest - lowest) + 1;
  // Sparse buckets cost more to count than they save; fewer buckets than threads would leave some idle.
  if (buckets > items.size() / 16 || buckets < 4 * threads) {
    if (fallback == SortFallback::in_place) return std::sort(items.begin(), items.end(), less);
    return parallel_sort(items, threads, less);
  }
  const auto bucket = [&](const T& item) { return static_cast<size_t>(bucket_of(item) - lowest); };
  const size_t parts = std::clamp<size_t>(threads, 1, items.size());
  std::vector<std::vector<size_t>> counts(parts, std::vector<size_t>(buckets, 0));  // per part, per bucket
  run_on_threads(parts, [&](size_t p) {
    for (size_t i = items.size() * p / parts, end = items.size() * (p + 1) / parts; i < end; ++i) ++counts[p][bucket(items[i])];
  });
  std::vector<size_t> starts(buckets + 1, 0);
  for (size_t b = 0; b < buckets; ++b) {
    starts[b + 1] = starts[b];
    for (const auto& part : counts) starts[b + 1] += part[b];
  }
  // next[b]: bucket b's first place not yet holding one of its own items.
  std::vector<size_t> next(starts.begin(), starts.end() - 1);
  for (size_t b = 0; b < buckets; ++b) {
    while (next[b] < starts[b + 1]) {
      const size_t home = bucket(items[next[b]]);
      if (home == b) ++next[b];
      else std::swap(items[next[b]], items[next[home]++]);
    }
  }
  for_each_on_threads(threads, buckets, [&](size_t, size_t b) {
    std::sort(items.begin() + static_cast<std::ptrdiff_t>(starts[b]), items.begin() + static_cast<std::ptrdiff_t>(starts[b + 1]), less);
  });
}

}  // namespace cryptolake::lake
