// A clock that moves only when told to: for tests and for deterministic simulation runs.
#pragma once

#include <condition_variable>
#include <mutex>

#include "io/clock.hpp"

namespace cryptolake::io {

// Thread-safe. sleep_until() waits until another thread advances the clock past the deadline.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(core::Timestamp start) : now_(start) {}

  core::Timestamp now() const override;
  bool sleep_until(core::Timestamp deadline, std::stop_token stop) override;

  void advance(int64_t micros);
  void set(core::Timestamp t);

 private:
  mutable std::mutex mutex_;
  std::condition_variable_any changed_;
  core::Timestamp now_;
};

}  // namespace cryptolake::io
