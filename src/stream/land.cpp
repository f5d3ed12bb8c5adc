#include "stream/land.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/decimal.hpp"
#include "bus/bus_raw_sink.hpp"
#include "core/envelope.hpp"
#include "lake/layout.hpp"
#include "lake/raw_zone.hpp"
#include "lake/worker_pool.hpp"

namespace cryptolake::stream {

namespace {

using Partition = std::pair<std::string, int32_t>;  // topic, partition

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The raw batches being landed from records [from, to) of one partition, and whether all landed.
struct Intent {
  bool landed = false;
  int64_t from = 0, to = 0;
  std::vector<std::string> keys;
};

std::string intent_text(const Intent& intent) {
  std::string text = fmt::format("{}\t{}\t{}\n", intent.landed ? "landed" : "landing", intent.from, intent.to);
  for (const std::string& key : intent.keys) text += key + "\n";
  return text;
}

std::optional<Intent> parse_intent(const std::string& text) {
  std::istringstream in(text);
  std::string head, state, from, to;
  if (!std::getline(in, head)) return std::nullopt;
  std::istringstream fields(head);
  if (!std::getline(fields, state, '\t') || !std::getline(fields, from, '\t') || !std::getline(fields, to, '\t')) return std::nullopt;
  const auto f = core::parse_int(from), t = core::parse_int(to);
  if (!f || !t || (state != "landed" && state != "landing")) return std::nullopt;
  Intent intent{state == "landed", *f, *t, {}};
  for (std::string key; std::getline(in, key);) {
    if (!key.empty()) intent.keys.push_back(key);
  }
  return intent;
}

// zstd level of the raw batches a lander writes: a micro-batch of market events packs as small at
// level 1 as at 3 (a Binance capture 7,527 vs 7,544 bytes; simulated klines 9.6× vs 8.8×) at 1.6×
// the speed, and the curation reading it back decompresses faster too. (Posts pack ~20 % smaller at
// 3; few of them come through the bus.)
constexpr int kRawLevel = 1;

// Lines of one raw batch: records of one partition with the same source and dataset, in order.
struct Batch {
  std::string source, dataset;
  core::Timestamp received_at;  // of its first record
  std::string text;
  size_t records = 0;
};

// The raw batches of one partition's records by source and dataset, each cut once it holds
// `cut_at` bytes (LandOptions::raw_batch_bytes: 3 partitions of 17 MB on 2 threads would take as
// long as 4).
// A new batch reserves what it will hold (at most what is left of the partition's records: with
// several datasets in a partition, up to that much each): growing 8 MB by doubling copies it once
// more and faults in pages twice.
struct Batches {
  size_t cut_at;
  size_t bytes_left;  // of the records not added yet, with their newlines
  std::map<std::pair<std::string, std::string>, std::vector<Batch>> by_kind;

  Batch& batch_for(const std::string& source, const std::string& dataset, core::Timestamp received_at) {
    std::vector<Batch>& cut = by_kind[{source, dataset}];
    if (cut.empty() || cut.back().text.size() >= cut_at) {
      cut.push_back({source, dataset, received_at, {}, 0});
      cut.back().text.reserve(std::min(cut_at + kOvershoot, bytes_left));
    }
    return cut.back();
  }

  static constexpr size_t kOvershoot = size_t{64} << 10;  // the last record in a batch, usually
};

// A record as the raw zone keeps it: its envelope line when it is one (the key says source and
// dataset, the line starts with its received_at); anything else is kept whole, as text, in an
// envelope of source "bus", dataset "unreadable", saying where it came from.
void add_record(const bus::Record& record, Batches& batches) {
  static constexpr std::string_view kStart = "{\"received_at\":\"";
  const auto key = bus::parse_record_key(record.key);
  std::optional<core::Timestamp> received_at;
  if (record.value.starts_with(kStart) && record.value.find('\n') == std::string::npos) {
    const size_t end = record.value.find('"', kStart.size());
    if (end != std::string::npos) received_at = core::Timestamp::parse_iso(std::string_view(record.value).substr(kStart.size(), end - kStart.size()));
  }
  if (key && received_at) {
    Batch& batch = batches.batch_for(key->source, key->dataset, *received_at);
    batch.text += record.value;
    batch.text += '\n';
    ++batch.records;
    return;
  }
  const core::Timestamp when = core::Timestamp::from_millis(record.timestamp_ms);
  std::string request = fmt::format("{{\"topic\":\"{}\",\"partition\":{},\"offset\":{}}}", record.topic, record.partition, record.offset);
  const core::Envelope envelope{when, "bus", "unreadable", std::move(request), record.value, false};
  Batch& batch = batches.batch_for("bus", "unreadable", when);
  batch.text += core::envelope_line(envelope);
  batch.text += '\n';
  ++batch.records;
}

class Lander {
 public:
  Lander(bus::Consumer& consumer, lake::ObjectStore& store, const LandOptions& options)
      : consumer_(consumer), store_(store), raw_(store), options_(options) {}

  // One micro-batch: lands what `records` hold, then commits. Records are in offset order per partition.
  core::Status land(const std::vector<bus::Record>& records, LandReport& report) {
    const auto started = std::chrono::steady_clock::now();
    std::map<Partition, std::vector<const bus::Record*>> by_partition;
    for (const bus::Record& r : records) by_partition[{r.topic, r.partition}].push_back(&r);
    std::vector<bus::Position> next;
    std::vector<std::shared_ptr<void>> holds;  // released when this micro-batch is done
    for (auto& [where, list] : by_partition) {
      if (options_.hold_partition) {
        TRY_ASSIGN(std::shared_ptr<void> hold, options_.hold_partition(where.first, where.second));
        holds.push_back(std::move(hold));
      }
      // An intent left by a lander that died owning this partition (us earlier, or another member
      // of the group before a rebalance) is finished or undone before anything else lands.
      TRY(resolve(where, report));
      next.push_back({where.first, where.second, list.back()->offset + 1});
    }
    // The partitions share nothing until the curation. On the threads: each partition's records
    // are cut into raw batches named in its intent; then every batch, whatever its partition, is
    // compressed and written; then each partition whose batches all landed says so in its intent.
    std::vector<PartitionLanding> landings(by_partition.size());
    lake::for_each_on_threads(options_.threads, landings.size(), [&](size_t, size_t i) {
      const auto& [where, list] = *std::next(by_partition.begin(), static_cast<std::ptrdiff_t>(i));
      landings[i] = prepare_partition(where, list);
    });
    std::vector<std::pair<PartitionLanding*, size_t>> to_write;  // landing, batch
    for (PartitionLanding& landing : landings) {
      for (size_t b = 0; landing.status && b < landing.batches.size(); ++b) to_write.emplace_back(&landing, b);
    }
    std::vector<core::Status> written(to_write.size());
    lake::for_each_on_threads(options_.threads, to_write.size(), [&](size_t, size_t j) {
      const auto& [landing, b] = to_write[j];
      written[j] = raw_.land_lines_at(landing->intent.keys[b], landing->batches[b].text, kRawLevel);
    });
    for (size_t j = 0; j < to_write.size(); ++j) {
      if (!written[j] && to_write[j].first->status) to_write[j].first->status = written[j];
    }
    lake::for_each_on_threads(options_.threads, landings.size(), [&](size_t, size_t i) { finish_partition(landings[i]); });
    std::vector<std::pair<Partition, Intent>> intents;
    std::map<std::string, size_t> landed;  // records by dataset, for the metrics
    for (PartitionLanding& done : landings) {
      TRY(done.status);
      report.records += done.records;
      if (done.intent.keys.empty()) continue;
      report.raw_objects += done.intent.keys.size();
      for (const auto& [dataset, n] : done.by_dataset) landed[dataset] += n;
      intents.emplace_back(done.where, std::move(done.intent));
    }
    const double raw_seconds = seconds_since(started);
    if (!intents.empty()) TRY(curate(report));
    spdlog::debug("stream land: {} records landed raw in {:.3f} s, curated in {:.3f} s", records.size(), raw_seconds, seconds_since(started) - raw_seconds);
    observe(records, landed);
    if (auto committed = consumer_.commit(next); !committed) {
      // Refused (a rebalance gave the partitions to another member): the intents stay, and whoever
      // owns each partition next commits the landing they describe before landing anything.
      spdlog::warn("stream land: commit refused ({}); the partitions' next owner completes this landing", committed.error().message);
      ++report.commits_refused;
      return {};
    }
    for (const auto& [where, intent] : intents) TRY(store_.remove(intent_key(where)));
    ++report.batches;
    return {};
  }

  // What landing one partition's records did.
  struct PartitionLanding {
    core::Status status;
    Partition where;
    Intent intent;  // no keys: nothing to land
    size_t records = 0;
    std::vector<Batch> batches;  // what intent.keys name, in their order
    std::map<std::string, size_t> by_dataset;
  };

  // Cuts one partition's records into raw batches and records, before any of them lands, an
  // intent naming them all, so a landing cut short can be undone or finished.
  PartitionLanding prepare_partition(const Partition& where, const std::vector<const bus::Record*>& list) {
    PartitionLanding done{{}, where, Intent{false, -1, list.back()->offset + 1, {}}, 0, {}, {}};
    Intent& intent = done.intent;
    const auto skip = skip_below_.find(where);
    const auto landed_before = [&](const bus::Record* r) { return skip != skip_below_.end() && r->offset < skip->second; };
    Batches batches{std::max<size_t>(1, options_.raw_batch_bytes), 0, {}};
    for (const bus::Record* r : list) batches.bytes_left += landed_before(r) ? 0 : r->value.size() + 1;
    for (const bus::Record* r : list) {
      if (landed_before(r)) continue;  // landed by an interrupted run, now committed
      if (intent.from < 0) intent.from = r->offset;
      add_record(*r, batches);
      batches.bytes_left -= std::min(batches.bytes_left, r->value.size() + 1);
      ++done.records;
    }
    for (auto& [what, cut] : batches.by_kind) {
      for (Batch& batch : cut) {
        intent.keys.push_back(lake::raw_batch_key_for(batch.source, batch.dataset, batch.received_at, batch.text));
        done.by_dataset[batch.dataset] += batch.records;
        done.batches.push_back(std::move(batch));
      }
    }
    if (!done.batches.empty()) done.status = store_.put(intent_key(where), intent_text(intent));
    return done;
  }

  // After its batches are written: the intent says they all landed.
  void finish_partition(PartitionLanding& landing) {
    if (!landing.status || landing.batches.empty()) return;
    landing.intent.landed = true;
    landing.status = store_.put(intent_key(landing.where), intent_text(landing.intent));
    landing.batches.clear();  // the texts are written; free them before the curation
  }

  std::string intent_key(const Partition& where) const { return lake::layout::landing_intent_key(options_.group, where.first, where.second); }

  // Records out per dataset, and how long each took from the bus to durable curated rows.
  void observe(const std::vector<bus::Record>& records, const std::map<std::string, size_t>& landed) const {
    if (options_.metrics == nullptr) return;
    for (const auto& [dataset, n] : landed) options_.metrics->landed(dataset, n);
    if (options_.clock == nullptr) return;
    const int64_t now_ms = options_.clock->now().micros() / 1000;
    for (const bus::Record& r : records) options_.metrics->event_to_curated(static_cast<double>(std::max<int64_t>(0, now_ms - r.timestamp_ms)) / 1000.0);
  }

  core::Status curate(LandReport& report) {
    if (!options_.curate) return {};
    TRY(options_.curate());
    ++report.curations;
    return {};
  }

 private:
  // Finishes or undoes what an interrupted lander left of this partition, if anything.
  core::Status resolve(const Partition& where, LandReport& report) {
    const std::string key = intent_key(where);
    const auto text = store_.get(key);
    if (!text) return {};
    const auto intent = parse_intent(*text);
    int64_t committed = 0;
    TRY_ASSIGN(const std::vector<bus::Position> positions, consumer_.committed());
    for (const bus::Position& p : positions) {
      if (p.topic == where.first && p.partition == where.second) committed = p.offset;
    }
    if (!intent) {
      spdlog::warn("stream land: {} [{}]: an unreadable landing intent; ignored", where.first, where.second);
    } else if (committed >= intent->to) {
      // committed already; only the intent's removal was cut short
    } else if (intent->landed) {
      TRY(curate(report));  // what it landed may not be curated yet
      TRY(consumer_.commit({{where.first, where.second, intent->to}}));
      skip_below_[where] = intent->to;
      ++report.finished;
    } else {
      for (const std::string& raw_key : intent->keys) TRY(store_.remove(raw_key));
      report.undone += intent->keys.size();
    }
    return store_.remove(key);
  }

  bus::Consumer& consumer_;
  lake::ObjectStore& store_;
  lake::RawZoneWriter raw_;
  const LandOptions& options_;
  std::map<Partition, int64_t> skip_below_;
};

// Lag of the partitions this member owns: end offset − committed.
core::Status record_lag(bus::Bus& bus, bus::Consumer& consumer, const std::string& topic, StreamMetrics& metrics) {
  TRY_ASSIGN(const std::vector<bus::Position> ends, bus.end_offsets(topic));
  TRY_ASSIGN(const std::vector<bus::Position> committed, consumer.committed());
  for (const bus::Position& c : committed) {
    for (const bus::Position& e : ends) {
      if (e.topic == c.topic && e.partition == c.partition) metrics.lag(c.topic, c.partition, std::max<int64_t>(0, e.offset - c.offset));
    }
  }
  return {};
}

}  // namespace

core::Result<LandReport> land_stream(bus::Bus& bus, lake::ObjectStore& store, const LandOptions& options,
                                     std::stop_token stop, const LandProgress& progress) {
  const std::string topic = bus::topic_name(options.topic_prefix, "raw");
  TRY(bus.create_topics({topic}));
  TRY_ASSIGN(auto consumer, bus.consumer(options.group, {topic}));
  Lander lander(*consumer, store, options);
  LandReport report;
  TRY(lander.curate(report));  // raw batches an earlier lander landed and committed, not yet curated
  using Steady = std::chrono::steady_clock;
  auto last_record = Steady::now();
  while (!stop.stop_requested()) {
    const auto polling = Steady::now();
    TRY_ASSIGN(std::vector<bus::Record> records, consumer->poll(options.max_records, std::chrono::milliseconds(std::min<int64_t>(options.max_wait_ms, 200))));
    if (records.empty()) {
      // Waiting for the source, or for partitions another member is handing over, is not idleness.
      const bool producing = options.still_producing && options.still_producing();
      if (producing || consumer->awaiting_partitions()) last_record = Steady::now();
      if (options.exit_when_idle_ms >= 0 && Steady::now() - last_record >= std::chrono::milliseconds(options.exit_when_idle_ms)) break;
      continue;
    }
    // Fill the micro-batch: more records until it is full or its time is up.
    const auto window_end = Steady::now() + std::chrono::milliseconds(options.max_wait_ms);
    while (records.size() < options.max_records && Steady::now() < window_end && !stop.stop_requested()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(window_end - Steady::now());
      TRY_ASSIGN(std::vector<bus::Record> more, consumer->poll(options.max_records - records.size(), std::min(left, std::chrono::milliseconds(50))));
      if (more.empty()) break;
      std::move(more.begin(), more.end(), std::back_inserter(records));
    }
    spdlog::debug("stream land: polled {} records in {:.3f} s", records.size(), seconds_since(polling));
    TRY(lander.land(records, report));
    if (options.metrics != nullptr) TRY(record_lag(bus, *consumer, topic, *options.metrics));
    last_record = Steady::now();
    if (progress) progress(report);
  }
  return report;
}

}  // namespace cryptolake::stream
