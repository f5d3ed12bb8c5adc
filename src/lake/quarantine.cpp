#include "lake/quarantine.hpp"

#include <fmt/format.h>

#include "core/json_text.hpp"
#include "io/codec/zstd.hpp"
#include "lake/layout.hpp"

namespace cryptolake::lake {

std::string quarantine_key(std::string_view stage, std::string_view source, std::string_view dataset,
                           std::string_view raw_batch_key) {
  // raw/<source>/<dataset>/dt=D/hour=H/<name> -> quarantine/<source>/<dataset>/dt=D/stage=<stage>/<name>
  const size_t dt = raw_batch_key.find("/dt=");
  const std::string_view date = dt == std::string_view::npos ? "unknown" : raw_batch_key.substr(dt + 4, 10);
  const std::string_view name = raw_batch_key.substr(raw_batch_key.rfind('/') + 1);
  return layout::quarantine_key(source, dataset, date, stage, name);
}

core::Status write_quarantine(ObjectStore& store, std::string_view stage, std::string_view source, std::string_view dataset,
                              std::string_view raw_batch_key, const std::vector<QuarantineRecord>& records) {
  if (records.empty()) return {};
  const std::string key = quarantine_key(stage, source, dataset, raw_batch_key);
  std::string text;
  for (const QuarantineRecord& r : records) {
    text += "{\"reason\":";
    core::append_json_string(text, r.reason);
    text += ",\"raw_batch\":";
    core::append_json_string(text, r.raw_batch);
    text += fmt::format(",\"line\":{},\"record\":", r.line);
    core::append_json_string(text, r.record);
    text += "}\n";
  }
  return store.put(key, io::zstd_compress(text));
}

}  // namespace cryptolake::lake
