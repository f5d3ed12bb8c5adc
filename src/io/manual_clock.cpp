#include "io/manual_clock.hpp"

#include <algorithm>

namespace cryptolake::io {

core::Timestamp ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

bool ManualClock::sleep_until(core::Timestamp deadline, std::stop_token stop) {
  std::unique_lock lock(mutex_);
  if (auto_advance_) {
    if (stop.stop_requested()) return false;
    now_ = std::max(now_, deadline);
    return true;
  }
  ++sleepers_;
  const bool reached = changed_.wait(lock, stop, [&] { return now_ >= deadline; });
  --sleepers_;
  return reached;
}

size_t ManualClock::sleepers() const {
  std::lock_guard lock(mutex_);
  return sleepers_;
}

void ManualClock::advance(int64_t micros) {
  {
    std::lock_guard lock(mutex_);
    now_ = now_ + micros;
  }
  changed_.notify_all();
}

void ManualClock::set(core::Timestamp t) {
  {
    std::lock_guard lock(mutex_);
    now_ = t;
  }
  changed_.notify_all();
}

}  // namespace cryptolake::io
