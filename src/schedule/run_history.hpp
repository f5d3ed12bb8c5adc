// The run history: one writer, one reader. Every finished stage (rows written and quarantined,
// how long it took, when it finished) and every collecting process's rate-limit waits, kept in
// the lake under _catalog/runs/ as tab-separated lines so concurrent readers never need a lock.
// /metrics, the API and the quality page read it through here.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/timestamp.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::schedule {

struct StageRun {
  std::string run_id;
  std::string stage;
  core::Timestamp finished_at;
  double seconds = 0;
  size_t rows = 0;
  size_t quarantined = 0;
};

struct RateLimitWaits {
  std::string service;
  size_t waits = 0;          // requests that waited for budget
  double waited_seconds = 0;
  core::Timestamp at;
};

class RunHistory {
 public:
  explicit RunHistory(lake::ObjectStore& store) : store_(store) {}

  [[nodiscard]] core::Status record(const StageRun& run);
  // A whole run's stages in one append: the history file is rewritten once, not once per stage.
  [[nodiscard]] core::Status record(std::span<const StageRun> runs);
  [[nodiscard]] core::Status record(const RateLimitWaits& waits);
  // Everything recorded, oldest first; a line that cannot be read is skipped.
  std::vector<StageRun> stage_runs() const;
  std::vector<RateLimitWaits> rate_limit_waits() const;

 private:
  lake::ObjectStore& store_;
};

// An id for a run: run-<UTC time>-<pid>.
std::string new_run_id(core::Timestamp now);

}  // namespace cryptolake::schedule
