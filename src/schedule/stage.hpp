// A pipeline step: it names what it reads and what it writes, and runs → a report. The ETL
// pipeline, the demo and (next) the scheduler and the stream landing run steps through this one
// interface, so each is timed, recorded in the run history and ordered the same way.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "lake/write_stats.hpp"

namespace cryptolake::schedule {

// Progress of the running stage: (stage, done, total).
using StageProgress = std::function<void(std::string_view stage, size_t done, size_t total)>;

// What a stage runs against.
struct StageEnv {
  lake::ObjectStore& store;  // gated by the quality checks when the pipeline runs it
  lake::DuckDb& duckdb;
  const core::Config& config;
  size_t threads = 1;
  StageProgress progress;
  // Incremental runs (schedule/stage_memo): when `incremental`, `consumed` is the text the stage
  // left at its last complete run (what it had consumed) and the stage does only what is new
  // since; otherwise it rebuilds everything. Either way a stage that keeps such state sets
  // `now_consumed`; it is stored only if the run completes with nothing held back.
  bool incremental = false;
  std::optional<std::string> consumed;
  std::optional<std::string> now_consumed;
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;
  // Lake prefixes read (raw datasets, curated tables) and tables written: the order of a DAG.
  virtual const std::vector<std::string>& inputs() const = 0;
  virtual const std::vector<std::string>& outputs() const = 0;
  // The inputs whose changes the stage applies incrementally; a change to any other input (or to
  // the settings) makes it rebuild everything.
  virtual const std::vector<std::string>& incremental_inputs() const = 0;
  [[nodiscard]] virtual core::Result<lake::WriteStats> run(StageEnv& env) = 0;
};

// A stage whose work is one function.
class FunctionStage final : public Stage {
 public:
  using Work = std::function<core::Result<lake::WriteStats>(StageEnv&)>;
  FunctionStage(std::string name, std::vector<std::string> inputs, std::vector<std::string> outputs, Work work,
                std::vector<std::string> incremental_inputs = {})
      : name_(std::move(name)), inputs_(std::move(inputs)), outputs_(std::move(outputs)), incremental_(std::move(incremental_inputs)),
        work_(std::move(work)) {}

  std::string_view name() const override { return name_; }
  const std::vector<std::string>& inputs() const override { return inputs_; }
  const std::vector<std::string>& outputs() const override { return outputs_; }
  const std::vector<std::string>& incremental_inputs() const override { return incremental_; }
  core::Result<lake::WriteStats> run(StageEnv& env) override { return work_(env); }

 private:
  std::string name_;
  std::vector<std::string> inputs_, outputs_, incremental_;
  Work work_;
};

}  // namespace cryptolake::schedule
