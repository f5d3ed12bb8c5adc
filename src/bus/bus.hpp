// The bus: keyed records in topics, split into partitions by key (one key stays in order),
// consumed by groups that commit how far they got. Sources produce into it; the lander and the
// stream processor consume from it. Two implementations keep the same contract (tests/bus):
// the local log under the lake's _log/ (the default, one machine) and Kafka.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace cryptolake::bus {

struct Record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;  // when it was produced
  std::string key;
  std::string value;
};

// A position of a group in one partition: the offset of the next record to read.
struct Position {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  auto operator<=>(const Position&) const = default;
};

class Producer {
 public:
  virtual ~Producer() = default;
  // Queues a record for the partition of its key; may block when the queue is full.
  [[nodiscard]] virtual core::Status produce(std::string_view topic, std::string_view key, std::string_view value) = 0;
  // Returns when every queued record is durable (the local log: written and synced per its
  // fsync policy; Kafka: acknowledged by all in-sync replicas), or fails naming why.
  [[nodiscard]] virtual core::Status flush() = 0;
};

class Consumer {
 public:
  virtual ~Consumer() = default;
  // Up to `max` records from the partitions assigned to this member, waiting up to `wait` for
  // the first; records of one partition come in offset order.
  [[nodiscard]] virtual core::Result<std::vector<Record>> poll(size_t max, std::chrono::milliseconds wait) = 0;
  // Records that the group has consumed up to (not including) these offsets.
  [[nodiscard]] virtual core::Status commit(const std::vector<Position>& next) = 0;
  // The group's committed positions for the partitions assigned now.
  [[nodiscard]] virtual core::Result<std::vector<Position>> committed() = 0;
  // True while partitions dealt to this member are still held by another member that has not let
  // go of them: nothing to read is then not idleness.
  virtual bool awaiting_partitions() const { return false; }
};

class Bus {
 public:
  virtual ~Bus() = default;
  // Creates topics that do not exist yet, with the bus's partition count.
  [[nodiscard]] virtual core::Status create_topics(const std::vector<std::string>& topics) = 0;
  [[nodiscard]] virtual core::Result<std::unique_ptr<Producer>> producer() = 0;
  // A member of `group` reading `topics` from the group's committed offsets (the earliest record
  // for a new group).
  [[nodiscard]] virtual core::Result<std::unique_ptr<Consumer>> consumer(const std::string& group, const std::vector<std::string>& topics) = 0;
  // The offset the next produced record of each partition will get ("log end"): lag = end - committed.
  [[nodiscard]] virtual core::Result<std::vector<Position>> end_offsets(const std::string& topic) = 0;
  // "local log at …", "kafka at host:port": for banners and errors.
  virtual std::string describe() const = 0;
};

// Topic names: <prefix>.<dataset> (cryptolake.klines, cryptolake.trades, …).
std::string topic_name(std::string_view prefix, std::string_view dataset);

}  // namespace cryptolake::bus
