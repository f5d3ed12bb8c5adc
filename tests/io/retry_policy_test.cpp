#include "io/retry_policy.hpp"

#include <gtest/gtest.h>

namespace cryptolake::io {
namespace {

HttpResponse status(int code) {
  HttpResponse response;
  response.status = code;
  return response;
}

TEST(RetryPolicy, OnlyTransportFailuresTimeoutsAnd5xxAreWorthAnotherTry) {
  EXPECT_TRUE(RetryPolicy::retryable(status(500)));
  EXPECT_TRUE(RetryPolicy::retryable(status(503)));
  EXPECT_TRUE(RetryPolicy::retryable(status(599)));
  EXPECT_FALSE(RetryPolicy::retryable(status(200)));
  EXPECT_FALSE(RetryPolicy::retryable(status(404)));
  EXPECT_FALSE(RetryPolicy::retryable(status(429)));  // the governor waits those out, not the retry loop
  EXPECT_FALSE(RetryPolicy::retryable(status(418)));
  EXPECT_TRUE(RetryPolicy::retryable(core::fail(core::ErrorCode::timed_out, "read timeout")));
  EXPECT_TRUE(RetryPolicy::retryable(core::fail(core::ErrorCode::unavailable, "connection reset")));
  EXPECT_FALSE(RetryPolicy::retryable(core::fail(core::ErrorCode::invalid_argument, "bad URL")));
}

// Attempt n waits in [cap/2, cap) with cap = base · 2^(n-1), capped at max_delay; after
// max_attempts failures there is no retry.
TEST(RetryPolicy, DelaysDoubleWithFullJitterUpToTheCapThenStop) {
  const RetryPolicy policy{.max_attempts = 6, .base_delay_us = 1'000, .max_delay_us = 5'000};
  const int64_t caps[] = {1'000, 2'000, 4'000, 5'000, 5'000};
  for (int attempt = 1; attempt <= 5; ++attempt) {
    const int64_t cap = caps[attempt - 1];
    EXPECT_EQ(policy.delay_before_retry(attempt, 0.0), cap / 2) << "attempt " << attempt;
    EXPECT_EQ(policy.delay_before_retry(attempt, 0.5), cap / 2 + cap / 4) << "attempt " << attempt;
    EXPECT_LT(*policy.delay_before_retry(attempt, 0.999999), cap) << "attempt " << attempt;
  }
  EXPECT_FALSE(policy.delay_before_retry(6, 0.5));
  EXPECT_FALSE(policy.delay_before_retry(7, 0.0));
}

}  // namespace
}  // namespace cryptolake::io
