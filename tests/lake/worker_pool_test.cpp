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

}  // namespace
}  // namespace cryptolake::lake
