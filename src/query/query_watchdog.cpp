#include "query/query_watchdog.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace cryptolake::query {

namespace {

// Deadlines by id; the thread sleeps until the earliest. It lives as long as the process.
class Watch {
 public:
  static Watch& instance() {
    static Watch* watch = new Watch;  // never destroyed: sessions may end during static destruction
    return *watch;
  }

  uint64_t add(duckdb_connection connection, QueryWatchdog::Clock::time_point deadline) {
    std::lock_guard lock(mutex_);
    const uint64_t id = ++next_id_;
    pending_.emplace(id, Entry{connection, deadline});
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    changed_.notify_one();
    return id;
  }

  // False when the deadline came first (the entry is gone).
  bool remove(uint64_t id) {
    std::lock_guard lock(mutex_);
    return pending_.erase(id) > 0;
  }

 private:
  struct Entry {
    duckdb_connection connection;
    QueryWatchdog::Clock::time_point deadline;
  };

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      auto earliest = QueryWatchdog::Clock::time_point::max();
      for (const auto& [id, entry] : pending_) earliest = std::min(earliest, entry.deadline);
      if (earliest == QueryWatchdog::Clock::time_point::max()) {
        changed_.wait(lock);
      } else {
        changed_.wait_until(lock, earliest);
      }
      const auto now = QueryWatchdog::Clock::now();
      for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.deadline > now) {
          ++it;
          continue;
        }
        // Under the lock: the guard's owner cannot close the connection meanwhile.
        duckdb_interrupt(it->second.connection);
        it = pending_.erase(it);
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<uint64_t, Entry> pending_;
  uint64_t next_id_ = 0;
  std::thread thread_;
};

}  // namespace

QueryWatchdog::Guard::~Guard() { release(); }

bool QueryWatchdog::Guard::release() {
  const uint64_t id = std::exchange(id_, 0);
  return id != 0 && !Watch::instance().remove(id);
}

QueryWatchdog::Guard QueryWatchdog::watch(duckdb_connection connection, Clock::time_point deadline) {
  return Guard(Watch::instance().add(connection, deadline));
}

}  // namespace cryptolake::query
