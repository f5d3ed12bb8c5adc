#include "transform/raw_scan.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "core/excerpt.hpp"
#include "lake/layout.hpp"
#include "lake/raw_zone.hpp"
#include "lake/worker_pool.hpp"

namespace cryptolake::transform {

namespace {

// Parses one NDJSON line as an envelope; on failure returns the reason.
std::string read_envelope(simdjson::dom::parser& parser, simdjson::dom::parser& text_parser, const char* data,
                          size_t size, size_t capacity, EnvelopeView& out) {
  simdjson::dom::element doc;
  if (const auto error = parser.parse(data, size, false).get(doc); error) {
    (void)capacity;
    return fmt::format("envelope: invalid JSON ({})", simdjson::error_message(error));
  }
  simdjson::dom::object envelope;
  if (doc.get_object().get(envelope)) return "envelope: not an object";
  std::string_view received_at;
  if (envelope["received_at"].get_string().get(received_at)) return "envelope: no received_at";
  const auto when = core::Timestamp::parse_iso(received_at);
  if (!when) return fmt::format("envelope: received_at '{}' is not ISO-8601", core::excerpt(received_at));
  out.received_at = *when;
  if (envelope["source"].get_string().get(out.source)) return "envelope: no source";
  if (envelope["request"].get_object().get(out.request)) return "envelope: no request object";
  if (envelope["payload"].get(out.payload)) {
    std::string_view text;
    if (envelope["payload_text"].get_string().get(text)) return "envelope: no payload";
    // Kept as text because it was not one line of JSON: parse it on its own, or reject it.
    if (text_parser.parse(text.data(), text.size(), true).get(out.payload)) return "payload: the response body is not JSON";
  }
  return {};
}

}  // namespace

core::Result<std::vector<RawObject>> list_raw_objects(const lake::ObjectStore& store, const std::vector<std::string>& datasets) {
  // Only the datasets asked for, under each source: walking the whole raw zone (a folder per hour
  // of every dataset) cost a stage with no data of its own 0.27 s on a 600-day lake.
  TRY_ASSIGN(const std::vector<std::string> sources, store.list_prefixes(lake::layout::kRaw));
  std::vector<RawObject> objects;
  for (const std::string& source : sources) {
    for (const std::string& dataset : datasets) {
      TRY_ASSIGN(const std::vector<std::string> keys, store.list(source + dataset + "/"));
      for (const std::string& key : keys) {
        auto where = lake::layout::parse_raw_key(key);
        if (!where || where->dataset != dataset) continue;
        // Batches are named by their content; a file kept as it came is not, so its size stands in.
        std::string version = key.ends_with(".ndjson.zst") ? "-" : std::to_string(store.size(key).value_or(0));
        objects.push_back({std::move(where->source), std::move(where->dataset), key, std::move(version)});
      }
    }
  }
  std::ranges::sort(objects, {}, &RawObject::key);  // in key order, as one listing of the zone gave them
  return objects;
}

core::Result<ScanStats> scan_raw(lake::ObjectStore& store, std::string_view dataset, std::string_view stage, size_t threads,
                                 const EnvelopeHandler& handler, const ScanProgress& progress) {
  TRY_ASSIGN(std::vector<RawObject> batches, list_raw_objects(store, {std::string(dataset)}));
  std::erase_if(batches, [](const RawObject& o) { return !o.key.ends_with(".ndjson.zst"); });  // envelope batches only
  return scan_batches(store, batches, stage, threads, handler, progress);
}

core::Result<ScanStats> scan_batches(lake::ObjectStore& store, const std::vector<RawObject>& batches, std::string_view stage,
                                     size_t threads, const EnvelopeHandler& handler, const ScanProgress& progress) {
  lake::RawZoneReader reader(store);
  threads = std::max<size_t>(1, std::min(threads, batches.size()));
  std::atomic<size_t> next{0}, done{0};
  std::mutex mutex;
  ScanStats stats;
  std::optional<core::Error> first_error;

  const auto work = [&](size_t thread) {
    simdjson::dom::parser parser, text_parser;
    ScanStats local;
    for (size_t i = next++; i < batches.size(); i = next++) {
      const RawObject& batch = batches[i];
      auto text = reader.read_batch(batch.key);
      std::vector<lake::QuarantineRecord> rejects;
      if (!text) {
        // An unreadable batch is quarantined whole, with the reason; the rest of the lake goes on.
        rejects.push_back({text.error().message, batch.key, 0, ""});
      } else {
        std::string& body = *text;
        const size_t length = body.size();
        body.reserve(length + simdjson::SIMDJSON_PADDING);  // lines are parsed in place
        ++local.batches;
        local.bytes += length;
        int64_t line_no = 0;
        for (size_t pos = 0; pos < length;) {
          size_t end = body.find('\n', pos);
          if (end == std::string::npos) end = length;
          ++line_no;
          const std::string_view line(body.data() + pos, end - pos);
          if (!line.empty()) {
            EnvelopeView envelope;
            envelope.batch_key = batch.key;
            envelope.line = line_no;
            const std::string reason =
                read_envelope(parser, text_parser, line.data(), line.size(), body.capacity() - pos, envelope);
            if (reason.empty()) {
              ++local.envelopes;
              handler(thread, envelope, rejects);
            } else {
              rejects.push_back({reason, batch.key, line_no, std::string(line)});
            }
          }
          pos = end + 1;
        }
      }
      local.quarantined += rejects.size();
      if (auto status = lake::write_quarantine(store, stage, batch.source, batch.dataset, batch.key, rejects); !status) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = status.error();
      }
      const size_t finished = ++done;
      if (progress) {
        std::lock_guard lock(mutex);
        progress(finished, batches.size());
      }
    }
    std::lock_guard lock(mutex);
    stats.batches += local.batches;
    stats.envelopes += local.envelopes;
    stats.bytes += local.bytes;
    stats.quarantined += local.quarantined;
  };
  lake::run_on_threads(threads, work);
  if (first_error) return std::unexpected(*first_error);
  return stats;
}

}  // namespace cryptolake::transform
