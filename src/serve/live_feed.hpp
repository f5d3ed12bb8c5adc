// The newest snapshot of the live view (stream::LiveProcessor's, handed over by `serve --live`),
// for /api/v1/live: its JSON and a version that grows with each publish. Thread-safe; readers
// wait for a newer version without polling.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace cryptolake::serve {

struct LiveSnapshot {
  uint64_t version = 0;  // 0: nothing published yet
  std::string json;
};

class LiveFeed {
 public:
  void publish(std::string json);
  LiveSnapshot latest() const;
  // The snapshot once its version is above `seen`; nothing after `wait`, or once closed.
  std::optional<LiveSnapshot> wait_newer(uint64_t seen, std::chrono::milliseconds wait) const;
  // Wakes every reader for good: the server is stopping.
  void close();
  bool closed() const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  LiveSnapshot latest_;
  bool closed_ = false;
};

}  // namespace cryptolake::serve
