// `cryptolake bench bus`: produce and consume keyed ~190-byte records through the local log and
// through Kafka (librdkafka's mock cluster), with kcat on the same mock cluster as the peer.
#pragma once

#include <string>

#include "core/result.hpp"

namespace cryptolake::bench {

struct BusBenchOptions {
  int64_t records = 1'000'000;
  int brokers = 3;
  std::string work;  // scratch folder for the local log; empty: a temp folder, removed afterwards
};

[[nodiscard]] core::Status bench_bus(const BusBenchOptions& options);

}  // namespace cryptolake::bench
