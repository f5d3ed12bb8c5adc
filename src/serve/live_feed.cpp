#include "serve/live_feed.hpp"

namespace cryptolake::serve {

void LiveFeed::publish(std::string json) {
  {
    std::lock_guard lock(mutex_);
    latest_.json = std::move(json);
    ++latest_.version;
  }
  changed_.notify_all();
}

LiveSnapshot LiveFeed::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

std::optional<LiveSnapshot> LiveFeed::wait_newer(uint64_t seen, std::chrono::milliseconds wait) const {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, wait, [&] { return closed_ || latest_.version > seen; }) || closed_) return std::nullopt;
  return latest_;
}

void LiveFeed::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

bool LiveFeed::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

}  // namespace cryptolake::serve
