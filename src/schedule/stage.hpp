// A pipeline step: it names what it reads and what it writes, and runs → a report. The ETL
// pipeline, the demo and (next) the scheduler and the stream landing run steps through this one
// interface, so each is timed, recorded in the run history and ordered the same way.
#pragma once

#include <functional>
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
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view name() const = 0;
  // Lake prefixes read (raw datasets, curated tables) and tables written: the order of a DAG.
  virtual const std::vector<std::string>& inputs() const = 0;
  virtual const std::vector<std::string>& outputs() const = 0;
  [[nodiscard]] virtual core::Result<lake::WriteStats> run(StageEnv& env) = 0;
};

// A stage whose work is one function.
class FunctionStage final : public Stage {
 public:
  using Work = std::function<core::Result<lake::WriteStats>(StageEnv&)>;
  FunctionStage(std::string name, std::vector<std::string> inputs, std::vector<std::string> outputs, Work work)
      : name_(std::move(name)), inputs_(std::move(inputs)), outputs_(std::move(outputs)), work_(std::move(work)) {}

  std::string_view name() const override { return name_; }
  const std::vector<std::string>& inputs() const override { return inputs_; }
  const std::vector<std::string>& outputs() const override { return outputs_; }
  core::Result<lake::WriteStats> run(StageEnv& env) override { return work_(env); }

 private:
  std::string name_;
  std::vector<std::string> inputs_, outputs_;
  Work work_;
};

}  // namespace cryptolake::schedule
