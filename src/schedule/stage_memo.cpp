#include "schedule/stage_memo.hpp"

#include <fmt/format.h>

#include "core/decimal.hpp"
#include "core/hash.hpp"
#include "lake/layout.hpp"

namespace cryptolake::schedule {

core::Result<StageMemos> StageMemos::open(lake::ObjectStore& store, std::string settings) {
  StageMemos memos(store, std::move(settings));
  TRY_ASSIGN(const std::vector<std::string> raw, store.list(lake::layout::kRaw));
  for (const std::string& key : raw) {
    const auto where = lake::layout::parse_raw_key(key);
    if (!where) continue;
    // Envelope batches are named by their content; files kept as they came are not, so their
    // size stands in for a change of content under the same name.
    std::string line = key;
    if (!key.ends_with(".ndjson.zst")) line += fmt::format(" {}", store.size(key).value_or(0));
    memos.raw_by_dataset_[where->dataset].push_back(std::move(line));
  }
  return memos;
}

core::Result<std::string> StageMemos::fingerprint(const Stage& stage, const std::map<std::string, std::string>& earlier) const {
  uint64_t hash = core::fnv1a(settings_);
  hash = core::fnv1a(stage.name(), hash);
  for (const std::string& input : stage.inputs()) {
    hash = core::fnv1a("\n" + input + "\n", hash);
    if (input.starts_with(lake::layout::kRaw)) {
      const std::string dataset = input.substr(input.rfind('/') + 1);  // raw/*/<dataset>
      if (auto it = raw_by_dataset_.find(dataset); it != raw_by_dataset_.end()) {
        for (const std::string& line : it->second) hash = core::fnv1a(line + "\n", hash);
      }
    } else if (input == "curated/*") {
      for (const auto& [table, print] : earlier) hash = core::fnv1a(table + " " + print + "\n", hash);
    } else if (input.starts_with(lake::layout::kCurated)) {
      const std::string table = input.substr(lake::layout::kCurated.size());
      const auto it = earlier.find(table);
      if (it == earlier.end()) return core::fail(core::ErrorCode::invalid_argument, "stage {} reads {}, which no earlier stage writes", stage.name(), input);
      hash = core::fnv1a(it->second, hash);
    } else {
      hash = core::fnv1a(store_.get(input).value_or(""), hash);  // _catalog state, by content
    }
  }
  return fmt::format("{:016x}", hash);
}

core::Result<size_t> StageMemos::output_objects(const Stage& stage) const {
  size_t objects = 0;
  for (const std::string& table : stage.outputs()) {
    TRY_ASSIGN(const std::vector<std::string> keys, store_.list(lake::layout::table_prefix(table)));
    objects += keys.size();
  }
  return objects;
}

std::optional<StageMemo> StageMemos::load(std::string_view stage) const {
  auto text = store_.get(lake::layout::stage_memo_key(stage));
  if (!text) return std::nullopt;
  std::vector<std::string> fields;
  for (size_t start = 0; start < text->size();) {
    const size_t end = std::min(text->find_first_of("\t\n", start), text->size());
    fields.push_back(text->substr(start, end - start));
    start = end + 1;
  }
  if (fields.size() != 11) return std::nullopt;
  const auto number = [&](size_t i) { return static_cast<size_t>(core::parse_int(fields[i]).value_or(0)); };
  StageMemo memo{fields[0], number(1), {}};
  memo.stats = {std::string(stage), number(2), number(3), number(4), number(5), number(6), number(7), number(8), number(9), number(10), true};
  return memo;
}

core::Status StageMemos::save(std::string_view stage, const StageMemo& memo) {
  const lake::WriteStats& s = memo.stats;
  return store_.put(lake::layout::stage_memo_key(stage),
                    fmt::format("{}\n{}\n{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", memo.fingerprint, memo.output_objects, s.batches, s.bytes,
                                s.records_in, s.rows_out, s.duplicates, s.quarantined, s.skipped, s.unchanged, s.partitions));
}

core::Status StageMemos::forget(std::string_view stage) { return store_.remove(lake::layout::stage_memo_key(stage)); }

}  // namespace cryptolake::schedule
