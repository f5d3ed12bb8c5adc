#include "lake/raw_zone.hpp"

#include <set>

#include <fmt/format.h>

#include "core/hash.hpp"
#include "core/json_text.hpp"
#include "io/codec/zstd.hpp"
#include "lake/layout.hpp"

namespace cryptolake::lake {

core::Result<std::string> RawZoneWriter::land(std::span<const Envelope> envelopes) {
  if (envelopes.empty()) return core::fail(core::ErrorCode::invalid_argument, "raw batch without envelopes");
  const Envelope& first = envelopes.front();
  std::string text;
  for (const Envelope& e : envelopes) {
    if (e.source != first.source || e.dataset != first.dataset) {
      return core::fail(core::ErrorCode::invalid_argument, "raw batch mixes {}/{} and {}/{}", first.source,
                        first.dataset, e.source, e.dataset);
    }
    if ((e.payload_is_json && e.payload.find('\n') != std::string::npos) || e.request.find('\n') != std::string::npos) {
      return core::fail(core::ErrorCode::invalid_argument, "raw envelope payload must be one line of JSON");
    }
    text += core::envelope_line(e);
    text += '\n';
  }
  return land_lines(first.source, first.dataset, first.received_at, text);
}

std::string raw_batch_key_for(std::string_view source, std::string_view dataset, core::Timestamp received_at, std::string_view text) {
  const std::string iso = received_at.iso();  // 2024-01-01T13:05:07.123456Z
  const std::string stamp = fmt::format("{}{}{}T{}{}{}", iso.substr(0, 4), iso.substr(5, 2), iso.substr(8, 2),
                                        iso.substr(11, 2), iso.substr(14, 2), iso.substr(17, 2));
  return layout::raw_batch_key(source, dataset, received_at, fmt::format("{}-{:016x}.ndjson.zst", stamp, core::content_hash(text)));
}

core::Result<std::string> RawZoneWriter::land_lines(std::string_view source, std::string_view dataset, core::Timestamp received_at,
                                                    std::string_view text) {
  std::string key = raw_batch_key_for(source, dataset, received_at, text);
  TRY(land_lines_at(key, text));
  return key;
}

core::Status RawZoneWriter::land_lines_at(const std::string& key, std::string_view text, int level) {
  return store_.put(key, io::zstd_compress(text, level));
}

core::Result<std::string> RawZoneWriter::land_file(const io::RawFile& file) {
  if (!core::Timestamp::parse_date(file.day) || file.name.empty() || file.name.find('/') != std::string::npos) {
    return core::fail(core::ErrorCode::invalid_argument, "raw file needs a YYYY-MM-DD day and a plain name");
  }
  std::string key = layout::raw_file_key(file.source, file.dataset, file.day, file.name);
  TRY(store_.put(key, file.bytes));
  return key;
}

core::Result<std::vector<std::string>> RawZoneReader::list_batches(std::string_view source,
                                                                   std::string_view dataset) const {
  TRY_ASSIGN(std::vector<std::string> keys, store_.list(layout::raw_prefix(source, dataset)));
  std::erase_if(keys, [](const std::string& k) { return !k.ends_with(".ndjson.zst"); });
  return keys;
}

core::Result<std::vector<std::string>> RawZoneReader::sources_with(std::string_view dataset) const {
  TRY_ASSIGN(const std::vector<std::string> keys, store_.list(layout::kRaw));
  std::set<std::string> sources;
  for (const std::string& key : keys) {
    if (auto where = layout::parse_raw_key(key); where && where->dataset == dataset) sources.insert(std::move(where->source));
  }
  return std::vector<std::string>(sources.begin(), sources.end());
}

core::Result<std::string> RawZoneReader::read_batch(std::string_view key) const {
  TRY_ASSIGN(const std::string frame, store_.get(key));
  auto text = io::zstd_decompress(frame);
  if (!text) return core::fail(core::ErrorCode::corrupt_data, "{}: {}", key, text.error().message);
  return text;
}

}  // namespace cryptolake::lake
