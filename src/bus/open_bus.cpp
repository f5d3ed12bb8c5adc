#include "bus/open_bus.hpp"

#include "core/decimal.hpp"
#include "core/excerpt.hpp"

namespace cryptolake::bus {

core::Result<std::unique_ptr<Bus>> open_bus(std::string_view url, const std::filesystem::path& local_dir, const BusSettings& settings,
                                            io::Clock& clock) {
  if (url.empty() || url == "local") return std::unique_ptr<Bus>(std::make_unique<LocalLogBus>(local_dir, settings.local, clock));
  if (url.starts_with("kafka://")) {
    KafkaOptions options = settings.kafka;
    options.brokers = std::string(url.substr(8));
    if (options.brokers.empty()) return core::fail(core::ErrorCode::invalid_argument, "kafka:// needs host:port[,host:port]");
    return std::unique_ptr<Bus>(std::make_unique<KafkaBus>(std::move(options)));
  }
  if (url.starts_with("mock://")) {
    const auto brokers = core::parse_int(url.substr(7));
    if (!brokers) return core::fail(core::ErrorCode::invalid_argument, "mock://N needs a broker count, like mock://3");
    TRY_ASSIGN(auto cluster, MockCluster::start(static_cast<int>(*brokers)));
    return std::unique_ptr<Bus>(std::make_unique<KafkaBus>(settings.kafka, std::move(cluster)));
  }
  return core::fail(core::ErrorCode::invalid_argument, "--bus '{}': give local, kafka://host:port[,host:port] or mock://N", core::excerpt(url));
}

}  // namespace cryptolake::bus
