// The bus a command uses, from its URL: "local" (the lake's _log/), "kafka://host:port[,host:port]",
// or "mock://N" (librdkafka's in-process cluster of N brokers, for trying it out and tests).
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "bus/kafka_bus.hpp"
#include "bus/local_log.hpp"

namespace cryptolake::bus {

struct BusSettings {
  LocalLogOptions local;
  KafkaOptions kafka;  // brokers come from the URL
};

[[nodiscard]] core::Result<std::unique_ptr<Bus>> open_bus(std::string_view url, const std::filesystem::path& local_dir,
                                                          const BusSettings& settings, io::Clock& clock);

}  // namespace cryptolake::bus
