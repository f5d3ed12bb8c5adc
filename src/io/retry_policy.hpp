// When to try a request again: exponential backoff with full jitter and a bounded number of
// attempts, for timeouts, dropped connections and 5xx. Pure; the caller sleeps on its Clock.
#pragma once

#include <cstdint>
#include <optional>

#include "core/result.hpp"
#include "io/http_client.hpp"

namespace cryptolake::io {

struct RetryPolicy {
  int max_attempts = 5;
  int64_t base_delay_us = 500'000;
  int64_t max_delay_us = 30'000'000;

  // Whether this outcome is worth another attempt: transport failures, timeouts and 5xx.
  static bool retryable(const core::Result<HttpResponse>& outcome);
  // Delay before attempt `attempt` (1-based count of failures so far), or nullopt when the
  // attempts are used up. `unit` is a uniform draw in [0, 1) for the jitter.
  std::optional<int64_t> delay_before_retry(int attempt, double unit) const;
};

}  // namespace cryptolake::io
