// Incremental runs at stage grain: a stage whose inputs are what they were at its last complete
// run, and whose outputs are all still there, is not run again. Every stage is a pure function of
// its inputs (same inputs, same bytes), so reusing its outputs equals recomputing them.
//
// A stage's fingerprint covers: the raw objects it reads (batch names are content hashes; other
// raw files by name and size), the fingerprints of the stages whose tables it reads ("curated/*"
// reads every earlier stage's), the _catalog objects it reads (by content), and the settings
// that shape every output (features, quality checks) and this program's build.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lake/object_store.hpp"
#include "lake/write_stats.hpp"
#include "schedule/stage.hpp"

namespace cryptolake::schedule {

struct StageMemo {
  std::string fingerprint;
  size_t output_objects = 0;  // objects under the stage's output tables after that run
  lake::WriteStats stats;     // what that run reported
};

class StageMemos {
 public:
  // Lists the raw zone once; `settings` is folded into every fingerprint.
  [[nodiscard]] static core::Result<StageMemos> open(lake::ObjectStore& store, std::string settings);

  // The stage's fingerprint now; `earlier` maps each table written so far to its stage's fingerprint.
  [[nodiscard]] core::Result<std::string> fingerprint(const Stage& stage, const std::map<std::string, std::string>& earlier) const;
  // Objects now under the stage's output tables.
  [[nodiscard]] core::Result<size_t> output_objects(const Stage& stage) const;

  std::optional<StageMemo> load(std::string_view stage) const;
  [[nodiscard]] core::Status save(std::string_view stage, const StageMemo& memo);
  // Before a stage runs: a run killed half way must not leave the previous memo standing.
  [[nodiscard]] core::Status forget(std::string_view stage);

 private:
  StageMemos(lake::ObjectStore& store, std::string settings) : store_(store), settings_(std::move(settings)) {}

  lake::ObjectStore& store_;
  std::string settings_;
  std::map<std::string, std::vector<std::string>> raw_by_dataset_;  // dataset → "key size" lines, sorted
};

}  // namespace cryptolake::schedule
