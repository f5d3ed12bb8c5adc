// Recent API answers by request, bounded by age and by bytes: dashboards ask the same questions
// at once, and an attacker asking distinct ones must not grow the server. Thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "io/http_server.hpp"

namespace cryptolake::serve {

class AnswerCache {
 public:
  using Clock = std::chrono::steady_clock;
  AnswerCache(std::chrono::milliseconds max_age, size_t max_bytes) : max_age_(max_age), max_bytes_(max_bytes) {}

  std::optional<io::ServerResponse> find(const std::string& key, Clock::time_point now);
  // Keeps the answer unless it alone is larger than the whole budget; drops the oldest to fit.
  void put(const std::string& key, const io::ServerResponse& response, Clock::time_point now);
  size_t bytes() const;
  size_t size() const;

 private:
  struct Entry {
    Clock::time_point at;
    io::ServerResponse response;
    size_t bytes = 0;
  };
  void drop_front_locked();

  const std::chrono::milliseconds max_age_;
  const size_t max_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::deque<std::pair<Clock::time_point, std::string>> order_;  // insertion order = expiry order
  size_t bytes_ = 0;
};

}  // namespace cryptolake::serve
