// One request budget per service (per outgoing IP), shared by every connector in the process
// and — through a file-backed ledger — by every cryptolake process on the machine.
// Budgets are per calendar minute, as Binance counts REQUEST_WEIGHT; servers' own counts
// (X-MBX-USED-WEIGHT-1M) correct ours; 429 pauses the service for Retry-After and then runs it at
// half rate for a while; 418 (IP ban) stops it until Retry-After has passed.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <map>
#include <stop_token>
#include <string>

#include "io/clock.hpp"
#include "io/http_client.hpp"

namespace cryptolake::io {

struct BudgetState {
  int64_t window_start_us = 0;   // start of the minute `used` counts
  int64_t used = 0;              // weight spent in that minute
  int64_t blocked_until_us = 0;  // after a 429 or 418: no request before this
  int64_t slow_until_us = 0;     // after a 429: half the budget until this
};

// Atomic read-modify-write of a service's state. Implementations are thread-safe; the file one
// is also safe across processes.
class BudgetLedger {
 public:
  virtual ~BudgetLedger() = default;
  virtual BudgetState update(std::string_view service, const std::function<void(BudgetState&)>& change) = 0;
};

// For one process (tests, single runs).
class InMemoryBudgetLedger final : public BudgetLedger {
 public:
  BudgetState update(std::string_view service, const std::function<void(BudgetState&)>& change) override;

 private:
  std::mutex mutex_;
  std::map<std::string, BudgetState, std::less<>> states_;
};

struct ServiceBudget {
  std::string service;     // "binance", "coingecko", …
  int64_t per_minute = 0;  // weight (Binance) or calls (others) per minute
};

enum class Priority { live, backfill };

// Thread-safe. Borrows the ledger and the clock.
class RateGovernor {
 public:
  // Backfills may use only `backfill_share` of a budget, so live collection keeps headroom.
  RateGovernor(BudgetLedger& ledger, Clock& clock, double backfill_share = 0.8)
      : ledger_(ledger), clock_(clock), backfill_share_(backfill_share) {}

  // Blocks until `weight` fits in this minute's budget and no pause is in force, then spends it.
  // Returns false when `stop` was requested first.
  bool acquire(const ServiceBudget& budget, int64_t weight, Priority priority, std::stop_token stop);

  // Learns from a response: the server's count of used weight (header named `used_header`, if
  // any), 429 and 418 with Retry-After (seconds).
  void observe(const ServiceBudget& budget, const HttpResponse& response, std::string_view used_header = {});

  int64_t used_this_minute(const ServiceBudget& budget);
  int64_t waits() const { return waits_; }                // how many acquire() calls had to wait
  int64_t waited_micros() const { return waited_us_; }

 private:
  BudgetLedger& ledger_;
  Clock& clock_;
  double backfill_share_;
  std::atomic<int64_t> waits_{0}, waited_us_{0};
};

}  // namespace cryptolake::io
