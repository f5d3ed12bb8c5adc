#include "schedule/stage_memo.hpp"

#include <sstream>

#include <fmt/format.h>

#include "core/decimal.hpp"
#include "core/hash.hpp"
#include "lake/layout.hpp"
#include "lake/partition_versions.hpp"

namespace cryptolake::schedule {

core::Result<StageMemos> StageMemos::open(lake::ObjectStore& store, std::string settings) {
  StageMemos memos(store, fmt::format("{:016x}", core::fnv1a(settings)));
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

core::Result<std::string> StageMemos::table_print(const std::string& table) {
  if (auto it = table_prints_.find(table); it != table_prints_.end()) return it->second;
  TRY_ASSIGN(std::string print, lake::table_version(store_, table));
  return table_prints_[table] = std::move(print);
}

core::Result<InputPrints> StageMemos::input_prints(const Stage& stage, const std::set<std::string>& written) {
  InputPrints prints;
  for (const std::string& input : stage.inputs()) {
    uint64_t hash = core::kFnvOffset;
    if (input.starts_with(lake::layout::kRaw)) {
      const std::string dataset = input.substr(input.rfind('/') + 1);  // raw/*/<dataset>
      if (auto it = raw_by_dataset_.find(dataset); it != raw_by_dataset_.end()) {
        for (const std::string& line : it->second) hash = core::fnv1a(line + "\n", hash);
      }
    } else if (input == "curated/*") {
      for (const std::string& table : written) {
        TRY_ASSIGN(const std::string print, table_print(table));
        hash = core::fnv1a(table + " " + print + "\n", hash);
      }
    } else if (input.starts_with(lake::layout::kCurated)) {
      const std::string table = input.substr(lake::layout::kCurated.size());
      if (!written.contains(table)) {
        return core::fail(core::ErrorCode::invalid_argument, "stage {} reads {}, which no earlier stage writes", stage.name(), input);
      }
      TRY_ASSIGN(const std::string print, table_print(table));
      hash = core::fnv1a(print, hash);
    } else {
      hash = core::fnv1a(store_.get(input).value_or(""), hash);  // _catalog state, by content
    }
    prints[input] = fmt::format("{:016x}", hash);
  }
  return prints;
}

std::string StageMemos::fingerprint(const Stage& stage, const InputPrints& inputs) const {
  uint64_t hash = core::fnv1a(settings_);
  hash = core::fnv1a(stage.name(), hash);
  for (const auto& [input, print] : inputs) hash = core::fnv1a(fmt::format("\n{} {}", input, print), hash);
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

void StageMemos::forget_versions(const Stage& stage) {
  for (const std::string& table : stage.outputs()) table_prints_.erase(table);
}

// The memo's text: fingerprint, settings print, output objects, the stats, then "input\tprint" lines.
std::optional<StageMemo> StageMemos::load(std::string_view stage) const {
  auto text = store_.get(lake::layout::stage_memo_key(stage));
  if (!text) return std::nullopt;
  std::istringstream in(*text);
  std::string objects, stats_line;
  StageMemo memo;
  if (!std::getline(in, memo.fingerprint) || !std::getline(in, memo.settings) || !std::getline(in, objects) ||
      !std::getline(in, stats_line)) {
    return std::nullopt;  // an earlier format: the stage runs in full once
  }
  std::vector<size_t> numbers;
  std::istringstream fields(stats_line);
  for (std::string field; std::getline(fields, field, '\t');) numbers.push_back(static_cast<size_t>(core::parse_int(field).value_or(0)));
  if (numbers.size() != 9) return std::nullopt;
  memo.output_objects = static_cast<size_t>(core::parse_int(objects).value_or(0));
  memo.stats = {std::string(stage), numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], numbers[6], numbers[7], numbers[8], true};
  for (std::string line; std::getline(in, line);) {
    const size_t tab = line.find('\t');
    if (tab != std::string::npos) memo.inputs[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return memo;
}

core::Status StageMemos::save(std::string_view stage, const StageMemo& memo) {
  const lake::WriteStats& s = memo.stats;
  std::string text = fmt::format("{}\n{}\n{}\n{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", memo.fingerprint, memo.settings, memo.output_objects,
                                 s.batches, s.bytes, s.records_in, s.rows_out, s.duplicates, s.quarantined, s.skipped, s.unchanged,
                                 s.partitions);
  for (const auto& [input, print] : memo.inputs) text += fmt::format("{}\t{}\n", input, print);
  return store_.put(lake::layout::stage_memo_key(stage), text);
}

core::Status StageMemos::forget(std::string_view stage) { return store_.remove(lake::layout::stage_memo_key(stage)); }

}  // namespace cryptolake::schedule
