#include "io/real/system_clock.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace cryptolake::io {

core::Timestamp SystemClock::now() const {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return core::Timestamp::from_micros(std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count());
}

bool SystemClock::sleep_until(core::Timestamp deadline, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any cv;
  std::unique_lock lock(mutex);
  const auto until = std::chrono::system_clock::time_point(std::chrono::microseconds(deadline.micros()));
  cv.wait_until(lock, stop, until, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace cryptolake::io
