#include "serve/answer_cache.hpp"

#include <gtest/gtest.h>

namespace cryptolake::serve {
namespace {

using namespace std::chrono_literals;

io::ServerResponse answer(size_t bytes) { return {200, "application/json", std::string(bytes, 'x'), {}}; }

TEST(AnswerCache, AnswersExpireAndTheBytesStayUnderTheBudget) {
  AnswerCache cache(5000ms, 10'000);
  const auto t0 = AnswerCache::Clock::time_point{} + 1h;
  cache.put("a", answer(3000), t0);
  ASSERT_TRUE(cache.find("a", t0 + 4999ms));
  EXPECT_FALSE(cache.find("a", t0 + 5000ms));  // too old
  // Distinct questions: the oldest go first, the total never passes the budget.
  for (int i = 0; i < 100; ++i) {
    cache.put("q" + std::to_string(i), answer(3000), t0 + std::chrono::milliseconds(i));
    EXPECT_LE(cache.bytes(), 10'000u);
  }
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.find("q99", t0 + 100ms));
  EXPECT_FALSE(cache.find("q96", t0 + 100ms));
  // One answer larger than the whole budget is not kept; a replaced one is counted once.
  cache.put("huge", answer(20'000), t0 + 200ms);
  EXPECT_FALSE(cache.find("huge", t0 + 200ms));
  const size_t before = cache.bytes();
  cache.put("q99", answer(3000), t0 + 300ms);
  EXPECT_EQ(cache.bytes(), before);
  // After the age, a new answer sweeps out every expired one.
  cache.put("late", answer(10), t0 + 10s);
  EXPECT_EQ(cache.size(), 1u);
}

}  // namespace
}  // namespace cryptolake::serve
