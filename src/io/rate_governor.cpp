#include "io/rate_governor.hpp"

#include <algorithm>
#include <cmath>

#include <spdlog/spdlog.h>

#include "core/decimal.hpp"

namespace cryptolake::io {

using core::Timestamp;

BudgetState InMemoryBudgetLedger::update(std::string_view service, const std::function<void(BudgetState&)>& change) {
  std::lock_guard lock(mutex_);
  auto it = states_.find(service);
  if (it == states_.end()) it = states_.emplace(std::string(service), BudgetState{}).first;
  change(it->second);
  return it->second;
}

namespace {

int64_t minute_of(int64_t us) { return us - (us % Timestamp::kMicrosPerMinute + Timestamp::kMicrosPerMinute) % Timestamp::kMicrosPerMinute; }

void roll_window(BudgetState& state, int64_t now) {
  const int64_t window = minute_of(now);
  if (state.window_start_us != window) {
    state.window_start_us = window;
    state.used = 0;
  }
}

}  // namespace

bool RateGovernor::acquire(const ServiceBudget& budget, int64_t weight, Priority priority, std::stop_token stop) {
  bool waited = false;
  const int64_t started = clock_.now().micros();
  while (!stop.stop_requested()) {
    const int64_t now = clock_.now().micros();
    int64_t wake_at = 0;
    ledger_.update(budget.service, [&](BudgetState& state) {
      roll_window(state, now);
      if (now < state.blocked_until_us) {
        wake_at = state.blocked_until_us;
        return;
      }
      double share = priority == Priority::backfill ? backfill_share_ : 1.0;
      if (now < state.slow_until_us) share *= 0.5;
      const auto limit = static_cast<int64_t>(static_cast<double>(budget.per_minute) * share);
      if (state.used + weight <= std::max(limit, weight)) {
        state.used += weight;
      } else {
        wake_at = state.window_start_us + Timestamp::kMicrosPerMinute;
      }
    });
    if (wake_at == 0) {
      if (waited) {
        ++waits_;
        waited_us_ += clock_.now().micros() - started;
      }
      return true;
    }
    waited = true;
    if (!clock_.sleep_until(Timestamp::from_micros(wake_at), stop)) return false;
  }
  return false;
}

void RateGovernor::observe(const ServiceBudget& budget, const HttpResponse& response, std::string_view used_header) {
  const int64_t now = clock_.now().micros();
  std::optional<int64_t> server_used;
  if (!used_header.empty()) {
    if (auto header = response.header(used_header)) server_used = core::parse_int(*header);
  }
  int64_t retry_after_s = 0;
  // X says when its window resets (x-rate-limit-reset, Unix seconds), Reddit how long until it
  // does (x-ratelimit-reset, seconds); both count as "come back then".
  std::optional<int64_t> reset_in_s;
  if (auto reset = response.header("x-rate-limit-reset")) {
    if (auto at = core::parse_int(*reset)) reset_in_s = std::max<int64_t>(1, *at - now / Timestamp::kMicrosPerSecond);
  } else if (auto seconds = response.header("x-ratelimit-reset")) {
    if (auto value = core::parse_decimal(*seconds)) reset_in_s = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(*value)));
  }
  if (response.status == 429 || response.status == 418) {
    const auto header = response.header("retry-after");
    retry_after_s = header ? core::parse_int(*header).value_or(reset_in_s.value_or(60)) : reset_in_s.value_or(60);
  }
  // The window is spent: wait for its reset before the next request rather than draw a 429.
  bool exhausted = false;
  for (const char* name : {"x-rate-limit-remaining", "x-ratelimit-remaining"}) {
    if (auto remaining = response.header(name)) exhausted = exhausted || core::parse_decimal(*remaining).value_or(1) < 1;
  }
  ledger_.update(budget.service, [&](BudgetState& state) {
    roll_window(state, now);
    // The server's count includes requests of other clients on this IP: never count below it.
    if (server_used) state.used = std::max(state.used, *server_used);
    if (response.status == 429) {
      state.blocked_until_us = std::max(state.blocked_until_us, now + retry_after_s * Timestamp::kMicrosPerSecond);
      state.slow_until_us = std::max(state.slow_until_us, state.blocked_until_us + 5 * Timestamp::kMicrosPerMinute);
    } else if (response.status == 418) {
      state.blocked_until_us = std::max(state.blocked_until_us, now + retry_after_s * Timestamp::kMicrosPerSecond);
    } else if (exhausted && reset_in_s) {
      state.blocked_until_us = std::max(state.blocked_until_us, now + *reset_in_s * Timestamp::kMicrosPerSecond);
    }
  });
  if (response.status == 429) {
    spdlog::warn("{}: rate limit hit (HTTP 429); pausing {} s, then running at half rate", budget.service, retry_after_s);
  } else if (response.status == 418) {
    spdlog::error("{}: THIS IP IS BANNED (HTTP 418) until {}; every {} request waits until then", budget.service,
                  Timestamp::from_micros(now + retry_after_s * Timestamp::kMicrosPerSecond).iso(), budget.service);
  }
}

int64_t RateGovernor::used_this_minute(const ServiceBudget& budget) {
  const int64_t now = clock_.now().micros();
  return ledger_.update(budget.service, [&](BudgetState& state) { roll_window(state, now); }).used;
}

}  // namespace cryptolake::io
