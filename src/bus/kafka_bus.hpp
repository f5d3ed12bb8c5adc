// The bus on Kafka (librdkafka): an idempotent producer with acks=all whose flush() fails unless
// every delivery report is a success; consumers in groups (round-robin assignment) and
// offsets committed only when the caller says. `MockCluster` is librdkafka's in-process Kafka
// (`--bus mock://3`): a real Kafka protocol endpoint on loopback, for trying it out and tests.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "bus/bus.hpp"

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;
namespace RdKafka {
class Handle;
}

namespace cryptolake::bus {

class MockCluster {
 public:
  [[nodiscard]] static core::Result<std::unique_ptr<MockCluster>> start(int brokers);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  std::string bootstraps() const;
  [[nodiscard]] core::Status create_topic(const std::string& topic, int32_t partitions, int replication);
  // Brokers are numbered from 1.
  [[nodiscard]] core::Status set_broker_down(int broker, bool down);
  int brokers() const { return brokers_; }

 private:
  MockCluster(rd_kafka_s* handle, rd_kafka_mock_cluster_s* cluster, int brokers) : handle_(handle), cluster_(cluster), brokers_(brokers) {}
  rd_kafka_s* handle_;
  rd_kafka_mock_cluster_s* cluster_;
  int brokers_;
};

struct KafkaOptions {
  std::string brokers;  // host:port[,host:port]
  int32_t partitions = 4;  // of the topics it creates
  int replication = -1;    // -1: the brokers' default
  // librdkafka settings passed through (security.protocol, sasl.mechanisms, sasl.username,
  // sasl.password, ssl.ca.location, …), from [bus.kafka] in cryptolake.toml.
  std::map<std::string, std::string> properties;
};

class KafkaBus final : public Bus {
 public:
  // With `mock`, the bus owns that cluster and talks to it.
  explicit KafkaBus(KafkaOptions options, std::unique_ptr<MockCluster> mock = nullptr);
  ~KafkaBus() override;

  core::Status create_topics(const std::vector<std::string>& topics) override;
  core::Result<std::unique_ptr<Producer>> producer() override;
  core::Result<std::unique_ptr<Consumer>> consumer(const std::string& group, const std::vector<std::string>& topics) override;
  core::Result<std::vector<Position>> end_offsets(const std::string& topic) override;
  std::string describe() const override;

  MockCluster* mock() { return mock_.get(); }
  const KafkaOptions& options() const { return options_; }

 private:
  core::Result<RdKafka::Handle*> metadata_handle();

  KafkaOptions options_;
  std::unique_ptr<MockCluster> mock_;
  std::mutex mutex_;
  std::unique_ptr<RdKafka::Handle> metadata_;  // for topic creation, metadata and watermarks
};

}  // namespace cryptolake::bus
