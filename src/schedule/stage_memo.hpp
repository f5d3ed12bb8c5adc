// Incremental runs. A stage whose inputs are what they were at its last complete run, and whose
// outputs are all still there, is not run again: every stage is a pure function of its inputs
// (same inputs, same bytes), so reusing its outputs equals recomputing them. A stage that changed
// only in inputs it declares incremental runs on what is new since then (StageEnv::incremental).
//
// An input's print: for raw datasets the batch names (content hashes; other raw files by name and
// size), for curated tables their content version (lake/partition_versions), for _catalog
// objects their content. The settings that shape every output (features, quality checks, this
// program's stage version) are a print of their own: when they change, every stage runs in full.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lake/object_store.hpp"
#include "lake/write_stats.hpp"
#include "schedule/stage.hpp"

namespace cryptolake::schedule {

using InputPrints = std::map<std::string, std::string>;  // input → print

struct StageMemo {
  std::string fingerprint;    // settings, name and every input print
  std::string settings;       // the settings print alone
  InputPrints inputs;
  size_t output_objects = 0;  // objects under the stage's output tables after that run
  lake::WriteStats stats;     // what that run reported
};

class StageMemos {
 public:
  // Lists the raw zone once; `settings` is folded into every fingerprint.
  [[nodiscard]] static core::Result<StageMemos> open(lake::ObjectStore& store, std::string settings);

  // The prints of the stage's inputs now; `written` holds the tables earlier stages write.
  [[nodiscard]] core::Result<InputPrints> input_prints(const Stage& stage, const std::set<std::string>& written);
  std::string fingerprint(const Stage& stage, const InputPrints& inputs) const;
  const std::string& settings() const { return settings_; }
  // Objects now under the stage's output tables.
  [[nodiscard]] core::Result<size_t> output_objects(const Stage& stage) const;
  // After a stage ran: its tables have new versions.
  void forget_versions(const Stage& stage);

  std::optional<StageMemo> load(std::string_view stage) const;
  [[nodiscard]] core::Status save(std::string_view stage, const StageMemo& memo);
  // Before a stage runs: a run killed half way must not leave the previous memo standing.
  [[nodiscard]] core::Status forget(std::string_view stage);

 private:
  StageMemos(lake::ObjectStore& store, std::string settings) : store_(store), settings_(std::move(settings)) {}
  [[nodiscard]] core::Result<std::string> table_print(const std::string& table);

  lake::ObjectStore& store_;
  std::string settings_;
  std::map<std::string, std::vector<std::string>> raw_by_dataset_;  // dataset → "key size" lines, sorted
  std::map<std::string, std::string> table_prints_;                  // table → content version, this run
};

}  // namespace cryptolake::schedule
