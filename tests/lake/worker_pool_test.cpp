#include "lake/worker_pool.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <utility>

namespace cryptolake::lake {
namespace {

// Any thread count gives std::sort's order (small inputs stay on one thread).
TEST(ParallelSort, GivesStdSortsOrderOnAnyNumberOfThreads) {
  std::mt19937_64 random(11);
  for (const size_t n : {size_t{0}, size_t{1}, size_t{70'000}, size_t{300'001}}) {
    std::vector<std::pair<int, uint64_t>> items(n);
    for (auto& [key, tie] : items) key = static_cast<int>(random() % 1000), tie = random();  // many equal keys, a total order
    auto expected = items;
    std::sort(expected.begin(), expected.end());
    for (const size_t threads : {1, 2, 3, 4, 7}) {
      auto sorted = items;
      parallel_sort(sorted, threads);
      EXPECT_EQ(sorted, expected) << n << " items on " << threads << " threads";
    }
  }
}

// Bucketed by their first member, on any thread count: std::sort's order, whether the buckets are
// dense (counted and placed), sparse or too few for the threads (left to parallel_sort).
TEST(BucketSort, GivesStdSortsOrderOnAnyNumberOfThreads) {
  std::mt19937_64 random(12);
  for (const int64_t span : {int64_t{1}, int64_t{40}, int64_t{1'000'000'000}}) {
    for (const size_t n : {size_t{0}, size_t{1}, size_t{5'000}, size_t{300'001}}) {
      std::vector<std::pair<int64_t, uint64_t>> items(n);
      for (auto& [day, tie] : items) day = -7 + static_cast<int64_t>(random() % static_cast<uint64_t>(span)), tie = random() % 50;
      auto expected = items;
      std::sort(expected.begin(), expected.end());
      for (const size_t threads : {1, 2, 3, 7}) {
        for (const SortFallback fallback : {SortFallback::parallel_merge, SortFallback::in_place}) {
          auto sorted = items;
          bucket_sort(sorted, threads, [](const auto& item) { return item.first; }, std::less<>{}, fallback);
          EXPECT_EQ(sorted, expected) << n << " items over " << span << " buckets on " << threads << " threads";
        }
      }
    }
  }
}

}  // namespace
}  // namespace cryptolake::lake
