// A clock that moves only when told to: for tests and for deterministic simulation runs.
#pragma once

#include <condition_variable>
#include <mutex>

#include "io/clock.hpp"

namespace cryptolake::io {

// Thread-safe. sleep_until() waits until another thread advances the clock past the deadline,
// or, with auto_advance, moves the clock to the deadline at once: code that waits minutes for a
// rate limit then runs in microseconds, and still sees time pass as it would.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(core::Timestamp start, bool auto_advance = false) : now_(start), auto_advance_(auto_advance) {}

  core::Timestamp now() const override;
  bool sleep_until(core::Timestamp deadline, std::stop_token stop) override;

  void advance(int64_t micros);
  void set(core::Timestamp t);
  // Threads blocked in sleep_until() now: lets a test wait until a sleeper really sleeps.
  size_t sleepers() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable_any changed_;
  core::Timestamp now_;
  bool auto_advance_;
  size_t sleepers_ = 0;
};

}  // namespace cryptolake::io
