#include "io/retry_policy.hpp"

#include <algorithm>

namespace cryptolake::io {

bool RetryPolicy::retryable(const core::Result<HttpResponse>& outcome) {
  if (!outcome) {
    const auto code = outcome.error().code;
    return code == core::ErrorCode::unavailable || code == core::ErrorCode::timed_out;
  }
  return outcome->status >= 500 && outcome->status <= 599;
}

std::optional<int64_t> RetryPolicy::delay_before_retry(int attempt, double unit) const {
  if (attempt >= max_attempts) return std::nullopt;
  int64_t cap = base_delay_us;
  for (int i = 1; i < attempt && cap < max_delay_us; ++i) cap *= 2;
  cap = std::min(cap, max_delay_us);
  // Full jitter: anywhere in [cap/2, cap), so many clients do not retry in lockstep.
  return cap / 2 + static_cast<int64_t>(unit * static_cast<double>(cap / 2));
}

}  // namespace cryptolake::io
