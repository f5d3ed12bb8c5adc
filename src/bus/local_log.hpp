// The bus on one machine: an append-only log per topic partition under the lake's _log/.
//
//   _log/<topic>/partitions                      the topic's partition count
//   _log/<topic>/<p>/<base offset>.log           segments, rolled at segment_bytes
//   _log/_groups/<group>/<topic>/<p>             a group's committed offset
//   _log/_groups/<group>/members/<id>            live members (each holds a flock on its file)
//   _log/_groups/<group>/joining/<id>            a member's file until it holds the lock
//   _log/_groups/<group>/owners/<topic>.<p>      flocked by the member reading that partition
//
// A record on disk: length (u32) and CRC-32 (u32) of its body, then the body: offset (i64),
// timestamp ms (i64), key length (u32), key, value; little-endian. A writer opening a partition
// checks the last segment and truncates a torn tail (a record cut short by a crash, or one whose
// CRC fails). One writer per partition (a flock), any number of readers. Members of a group split
// the partitions in turn (partition i of the sorted list goes to member i mod n); a member that
// dies leaves its partitions to the others at their next poll.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>

#include "bus/bus.hpp"
#include "io/clock.hpp"

namespace cryptolake::bus {

struct LocalLogOptions {
  int32_t partitions = 4;
  bool fsync = true;                          // fsync each flushed batch (false: leave it to the OS)
  int64_t segment_bytes = 64LL << 20;
  int64_t retention_bytes = 0;                // per partition; 0: no limit
  std::chrono::hours retention_age{24 * 7};   // segments older than this go; 0: keep
};

class LocalLogBus final : public Bus {
 public:
  LocalLogBus(std::filesystem::path dir, LocalLogOptions options, io::Clock& clock);

  core::Status create_topics(const std::vector<std::string>& topics) override;
  core::Result<std::unique_ptr<Producer>> producer() override;
  core::Result<std::unique_ptr<Consumer>> consumer(const std::string& group, const std::vector<std::string>& topics) override;
  core::Result<std::vector<Position>> end_offsets(const std::string& topic) override;
  std::string describe() const override;

  // Removes whole segments beyond the retention limits, never a partition's last; returns how many.
  [[nodiscard]] core::Result<size_t> enforce_retention();

  // Used by its producers and consumers.
  const std::filesystem::path& dir() const { return dir_; }
  const LocalLogOptions& options() const { return options_; }
  io::Clock& clock() const { return clock_; }
  [[nodiscard]] core::Result<int32_t> partitions_of(const std::string& topic);

 private:
  std::filesystem::path dir_;
  LocalLogOptions options_;
  io::Clock& clock_;
  std::mutex mutex_;  // topic creation
  // Where end_offsets found each partition's last segment to end, so it reads only what was
  // appended since (a valid prefix of an append-only segment stays valid).
  struct KnownEnd {
    int64_t base = -1;
    size_t valid_bytes = 0;
    int64_t next_offset = 0;
    size_t last_record_bytes = 0;  // checked to be still there before reading on
  };
  std::mutex ends_mutex_;
  std::map<std::pair<std::string, int32_t>, KnownEnd> known_ends_;
};

}  // namespace cryptolake::bus
