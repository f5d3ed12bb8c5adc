// One thread that interrupts DuckDB connections whose queries run past their deadline, for every
// session of the process: a thread per query cost more than a small API query itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <utility>

#include <duckdb.h>

namespace cryptolake::query {

class QueryWatchdog {
 public:
  using Clock = std::chrono::steady_clock;

  // Interrupts `connection` at `deadline` unless the guard is gone by then.
  class Guard {
   public:
    Guard(Guard&& other) noexcept : id_(std::exchange(other.id_, 0)) {}
    Guard& operator=(Guard&&) = delete;
    ~Guard();
    // Stops watching; whether the connection was interrupted (then it may carry the interrupt
    // into its next query, so it is not for reuse).
    bool release();

   private:
    friend class QueryWatchdog;
    explicit Guard(uint64_t id) : id_(id) {}
    uint64_t id_;
  };

  [[nodiscard]] static Guard watch(duckdb_connection connection, Clock::time_point deadline);
};

}  // namespace cryptolake::query
