#include "bus/kafka_bus.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <chrono>
#include <map>

#include <fmt/format.h>

namespace cryptolake::bus {

using core::ErrorCode;
using core::fail;

namespace {

constexpr int kRequestTimeoutMs = 10000;

core::Result<std::unique_ptr<RdKafka::Conf>> make_conf(const KafkaOptions& options, const std::map<std::string, std::string>& settings) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  const auto set = [&](const std::string& name, const std::string& value) -> core::Status {
    if (conf->set(name, value, error) != RdKafka::Conf::CONF_OK) return fail(ErrorCode::invalid_argument, "kafka setting {}: {}", name, error);
    return {};
  };
  TRY(set("bootstrap.servers", options.brokers));
  TRY(set("client.id", "cryptolake"));
  for (const auto& [name, value] : settings) TRY(set(name, value));
  for (const auto& [name, value] : options.properties) TRY(set(name, value));  // the user's settings win
  return conf;
}

core::Error kafka_error(std::string_view what, RdKafka::ErrorCode code) {
  return {ErrorCode::unavailable, fmt::format("kafka: {}: {}", what, RdKafka::err2str(code))};
}

class DeliveryReports final : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) return;
    ++failed;
    if (first_error.empty()) first_error = fmt::format("{} [{}]: {}", message.topic_name(), message.partition(), message.errstr());
  }
  size_t failed = 0;
  std::string first_error;
};

class KafkaProducer final : public Producer {
 public:
  static core::Result<std::unique_ptr<Producer>> create(const KafkaOptions& options) {
    auto self = std::unique_ptr<KafkaProducer>(new KafkaProducer());
    // Idempotence: retries never duplicate or reorder a partition's records; acks=all: a record
    // counts as delivered only once every in-sync replica has it.
    TRY_ASSIGN(auto conf, make_conf(options, {{"enable.idempotence", "true"}, {"acks", "all"}, {"linger.ms", "5"},
                                              {"compression.type", "lz4"}}));
    std::string error;
    if (conf->set("dr_cb", &self->reports_, error) != RdKafka::Conf::CONF_OK) return fail(ErrorCode::unavailable, "kafka: {}", error);
    self->producer_.reset(RdKafka::Producer::create(conf.get(), error));
    if (!self->producer_) return fail(ErrorCode::invalid_argument, "kafka producer: {}", error);
    return std::unique_ptr<Producer>(std::move(self));
  }

  ~KafkaProducer() override {
    if (producer_) producer_->flush(kRequestTimeoutMs);
  }

  core::Status produce(std::string_view topic, std::string_view key, std::string_view value) override {
    TRY_ASSIGN(RdKafka::Topic* handle, topic_handle(topic));
    for (;;) {
      const RdKafka::ErrorCode code = producer_->produce(handle, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                                        const_cast<char*>(value.data()), value.size(), key.data(), key.size(), nullptr);
      if (code == RdKafka::ERR_NO_ERROR) break;
      if (code != RdKafka::ERR__QUEUE_FULL) return std::unexpected(kafka_error(fmt::format("produce to {}", topic), code));
      producer_->poll(100);  // the local queue is full: let deliveries drain it
    }
    // Delivery reports are served every so many records, not after each: polling per record
    // costs more than the produce itself.
    if (++since_poll_ >= kPollEvery) {
      since_poll_ = 0;
      producer_->poll(0);
    }
    return {};
  }

  core::Status flush() override {
    const RdKafka::ErrorCode code = producer_->flush(kRequestTimeoutMs * 3);
    if (code != RdKafka::ERR_NO_ERROR) {
      return fail(ErrorCode::timed_out, "kafka: {} record(s) not acknowledged: {}", producer_->outq_len(), RdKafka::err2str(code));
    }
    if (reports_.failed > 0) {
      const auto failed = std::exchange(reports_.failed, 0);
      return fail(ErrorCode::unavailable, "kafka: {} record(s) not delivered, first: {}", failed, std::exchange(reports_.first_error, ""));
    }
    return {};
  }

 private:
  static constexpr int kPollEvery = 1000;

  KafkaProducer() = default;

  // One handle per topic, made on first use (a topic name per produce would be looked up each time).
  core::Result<RdKafka::Topic*> topic_handle(std::string_view topic) {
    if (topic == last_topic_name_ && last_topic_ != nullptr) return last_topic_;
    auto it = topics_.find(topic);
    if (it == topics_.end()) {
      std::string error;
      std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(producer_.get(), std::string(topic), nullptr, error));
      if (!handle) return fail(ErrorCode::invalid_argument, "kafka topic {}: {}", topic, error);
      it = topics_.emplace(std::string(topic), std::move(handle)).first;
    }
    last_topic_name_ = it->first;
    last_topic_ = it->second.get();
    return last_topic_;
  }

  DeliveryReports reports_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::map<std::string, std::unique_ptr<RdKafka::Topic>, std::less<>> topics_;  // destroyed before the producer
  std::string last_topic_name_;
  RdKafka::Topic* last_topic_ = nullptr;
  int since_poll_ = 0;
};

class KafkaConsumer final : public Consumer {
 public:
  static core::Result<std::unique_ptr<Consumer>> create(const KafkaOptions& options, const std::string& group,
                                                        const std::vector<std::string>& topics) {
    TRY_ASSIGN(auto conf, make_conf(options, {{"group.id", group},
                                              {"enable.auto.commit", "false"},
                                              {"enable.auto.offset.store", "false"},
                                              {"auto.offset.reset", "earliest"},
                                              // Eager round-robin, not cooperative-sticky: librdkafka 2.0.2's sticky
                                              // assignor can abort in rd_kafka_sticky_assignor_state_destroy when a
                                              // consumer closes (seen in CI). Landing is idempotent either way.
                                              {"partition.assignment.strategy", "roundrobin"},
                                              // A member that stops heartbeating (a killed lander) hands its partitions
                                              // on after 6 s, the least brokers allow by default, instead of 45 s.
                                              {"session.timeout.ms", "6000"},
                                              {"queued.min.messages", "100000"}}));
    std::string error;
    auto self = std::unique_ptr<KafkaConsumer>(new KafkaConsumer());
    self->consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
    if (!self->consumer_) return fail(ErrorCode::invalid_argument, "kafka consumer: {}", error);
    if (const auto code = self->consumer_->subscribe(topics); code != RdKafka::ERR_NO_ERROR) {
      return std::unexpected(kafka_error("subscribe", code));
    }
    return std::unique_ptr<Consumer>(std::move(self));
  }

  ~KafkaConsumer() override {
    if (consumer_) consumer_->close();
  }

  core::Result<std::vector<Record>> poll(size_t max, std::chrono::milliseconds wait) override {
    std::vector<Record> out;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (out.size() < max) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      std::unique_ptr<RdKafka::Message> message(consumer_->consume(out.empty() ? static_cast<int>(std::max<int64_t>(0, left.count())) : 0));
      const RdKafka::ErrorCode code = message->err();
      if (code == RdKafka::ERR__TIMED_OUT || code == RdKafka::ERR__PARTITION_EOF) {
        if (!out.empty() || std::chrono::steady_clock::now() >= deadline) break;
        continue;
      }
      if (code != RdKafka::ERR_NO_ERROR) {
        if (message->errstr().empty()) return std::unexpected(kafka_error("consume", code));
        return fail(ErrorCode::unavailable, "kafka: consume: {}", message->errstr());
      }
      Record record;
      record.topic = message->topic_name();
      record.partition = message->partition();
      record.offset = message->offset();
      record.timestamp_ms = message->timestamp().timestamp;
      if (message->key() != nullptr) record.key = *message->key();
      record.value.assign(static_cast<const char*>(message->payload()), message->len());
      out.push_back(std::move(record));
    }
    return out;
  }

  core::Status commit(const std::vector<Position>& next) override {
    std::vector<RdKafka::TopicPartition*> offsets;
    for (const Position& p : next) offsets.push_back(RdKafka::TopicPartition::create(p.topic, p.partition, p.offset));
    const RdKafka::ErrorCode code = consumer_->commitSync(offsets);
    std::string failed;
    for (RdKafka::TopicPartition* tp : offsets) {
      if (tp->err() != RdKafka::ERR_NO_ERROR && failed.empty()) failed = fmt::format("{} [{}]: {}", tp->topic(), tp->partition(), RdKafka::err2str(tp->err()));
    }
    RdKafka::TopicPartition::destroy(offsets);
    if (code != RdKafka::ERR_NO_ERROR) return std::unexpected(kafka_error("commit", code));
    if (!failed.empty()) return fail(ErrorCode::unavailable, "kafka: commit {}", failed);
    return {};
  }

  core::Result<std::vector<Position>> committed() override {
    std::vector<RdKafka::TopicPartition*> assigned;
    if (const auto code = consumer_->assignment(assigned); code != RdKafka::ERR_NO_ERROR) return std::unexpected(kafka_error("assignment", code));
    const RdKafka::ErrorCode code = consumer_->committed(assigned, kRequestTimeoutMs);
    std::vector<Position> positions;
    for (RdKafka::TopicPartition* tp : assigned) positions.push_back({tp->topic(), tp->partition(), std::max<int64_t>(0, tp->offset())});
    RdKafka::TopicPartition::destroy(assigned);
    if (code != RdKafka::ERR_NO_ERROR) return std::unexpected(kafka_error("committed", code));
    std::ranges::sort(positions);
    return positions;
  }

 private:
  KafkaConsumer() = default;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
};

// The cluster's metadata of one topic.
core::Result<std::unique_ptr<RdKafka::Metadata>> topic_metadata(RdKafka::Handle& handle, const std::string& topic) {
  std::string error;
  std::unique_ptr<RdKafka::Topic> handle_topic(RdKafka::Topic::create(&handle, topic, nullptr, error));
  if (!handle_topic) return fail(ErrorCode::invalid_argument, "kafka: topic {}: {}", topic, error);
  RdKafka::Metadata* raw = nullptr;
  if (const auto code = handle.metadata(false, handle_topic.get(), &raw, kRequestTimeoutMs); code != RdKafka::ERR_NO_ERROR) {
    return std::unexpected(kafka_error(fmt::format("metadata of {}", topic), code));
  }
  return std::unique_ptr<RdKafka::Metadata>(raw);
}

// Whether the cluster knows the topic, with partitions.
bool topic_exists(RdKafka::Handle& handle, const std::string& topic) {
  const auto metadata = topic_metadata(handle, topic);
  if (!metadata) return false;
  for (const RdKafka::TopicMetadata* t : *(*metadata)->topics()) {
    if (t->topic() == topic && t->err() == RdKafka::ERR_NO_ERROR && !t->partitions()->empty()) return true;
  }
  return false;
}

}  // namespace

core::Result<std::unique_ptr<MockCluster>> MockCluster::start(int brokers) {
  if (brokers < 1 || brokers > 16) return fail(ErrorCode::invalid_argument, "mock://{}: give 1 to 16 brokers", brokers);
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The cluster's own handle never connects anywhere: keep its "no bootstrap.servers" notice quiet.
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    return fail(ErrorCode::unavailable, "kafka mock cluster: {}", error);
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, brokers);
  if (cluster == nullptr) {
    rd_kafka_destroy(handle);
    return fail(ErrorCode::unavailable, "kafka mock cluster: cannot start {} brokers", brokers);
  }
  return std::unique_ptr<MockCluster>(new MockCluster(handle, cluster, brokers));
}

MockCluster::~MockCluster() {
  rd_kafka_mock_cluster_destroy(cluster_);
  rd_kafka_destroy(handle_);
}

std::string MockCluster::bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }

core::Status MockCluster::create_topic(const std::string& topic, int32_t partitions, int replication) {
  const rd_kafka_resp_err_t code = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication);
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    return fail(ErrorCode::unavailable, "kafka mock: create {}: {}", topic, rd_kafka_err2str(code));
  }
  return {};
}

core::Status MockCluster::set_broker_down(int broker, bool down) {
  const rd_kafka_resp_err_t code = down ? rd_kafka_mock_broker_set_down(cluster_, broker) : rd_kafka_mock_broker_set_up(cluster_, broker);
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) return fail(ErrorCode::invalid_argument, "kafka mock: broker {}: {}", broker, rd_kafka_err2str(code));
  return {};
}

KafkaBus::KafkaBus(KafkaOptions options, std::unique_ptr<MockCluster> mock) : options_(std::move(options)), mock_(std::move(mock)) {
  if (mock_) options_.brokers = mock_->bootstraps();
}

KafkaBus::~KafkaBus() = default;

core::Result<RdKafka::Handle*> KafkaBus::metadata_handle() {
  if (metadata_) return metadata_.get();
  TRY_ASSIGN(auto conf, make_conf(options_, {}));
  std::string error;
  metadata_.reset(RdKafka::Producer::create(conf.get(), error));
  if (!metadata_) return fail(ErrorCode::invalid_argument, "kafka: {}", error);
  return metadata_.get();
}

core::Status KafkaBus::create_topics(const std::vector<std::string>& topics) {
  std::lock_guard lock(mutex_);
  if (mock_) {
    for (const std::string& topic : topics) TRY(mock_->create_topic(topic, options_.partitions, std::min(3, mock_->brokers())));
    return {};
  }
  TRY_ASSIGN(RdKafka::Handle * handle, metadata_handle());
  rd_kafka_t* rk = handle->c_ptr();
  char error[512];
  std::vector<rd_kafka_NewTopic_t*> requests;
  for (const std::string& topic : topics) {
    if (topic_exists(*handle, topic)) continue;  // (and some clusters do not take CreateTopics)
    rd_kafka_NewTopic_t* request = rd_kafka_NewTopic_new(topic.c_str(), options_.partitions, options_.replication, error, sizeof error);
    if (request == nullptr) {
      rd_kafka_NewTopic_destroy_array(requests.data(), requests.size());
      return fail(ErrorCode::invalid_argument, "kafka: topic {}: {}", topic, error);
    }
    requests.push_back(request);
  }
  if (requests.empty()) return {};
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, requests.data(), requests.size(), nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, kRequestTimeoutMs);
  core::Status status;
  if (event == nullptr) {
    status = fail(ErrorCode::timed_out, "kafka: creating topics timed out");
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = fail(ErrorCode::unavailable, "kafka: creating topics: {}", rd_kafka_event_error_string(event));
  } else {
    size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    for (size_t i = 0; i < count && status; ++i) {
      const rd_kafka_resp_err_t code = rd_kafka_topic_result_error(results[i]);
      if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        status = fail(ErrorCode::unavailable, "kafka: topic {}: {}", rd_kafka_topic_result_name(results[i]), rd_kafka_err2str(code));
      }
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy_array(requests.data(), requests.size());
  return status;
}

core::Result<std::unique_ptr<Producer>> KafkaBus::producer() { return KafkaProducer::create(options_); }

core::Result<std::unique_ptr<Consumer>> KafkaBus::consumer(const std::string& group, const std::vector<std::string>& topics) {
  if (group.empty()) return fail(ErrorCode::invalid_argument, "a consumer needs a group name");
  TRY(create_topics(topics));
  return KafkaConsumer::create(options_, group, topics);
}

core::Result<std::vector<Position>> KafkaBus::end_offsets(const std::string& topic) {
  std::lock_guard lock(mutex_);
  TRY_ASSIGN(RdKafka::Handle * handle, metadata_handle());
  TRY_ASSIGN(const std::unique_ptr<RdKafka::Metadata> metadata, topic_metadata(*handle, topic));
  std::vector<Position> ends;
  for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
    for (const RdKafka::PartitionMetadata* p : *t->partitions()) {
      int64_t low = 0, high = 0;
      if (const auto code = handle->query_watermark_offsets(topic, p->id(), &low, &high, kRequestTimeoutMs); code != RdKafka::ERR_NO_ERROR) {
        return std::unexpected(kafka_error(fmt::format("offsets of {} [{}]", topic, p->id()), code));
      }
      ends.push_back({topic, p->id(), high});
    }
  }
  std::ranges::sort(ends);
  return ends;
}

std::string KafkaBus::describe() const { return fmt::format("{} at {}", mock_ ? "kafka mock cluster" : "kafka", options_.brokers); }

}  // namespace cryptolake::bus
