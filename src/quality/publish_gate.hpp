// Quality gating at the storage port: an ObjectStore that checks every curated partition before
// it is published. A partition failing an error-level check is not published; it is held under
// curated/<table>/_held/dt=<day>/ for inspection (and replaced by the next run), unless forced.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "lake/duckdb.hpp"
#include "lake/local_object_store.hpp"
#include "quality/check_runner.hpp"

namespace cryptolake::quality {

struct HeldPartition {
  std::string table, dt;
  std::string path;  // where the staged files wait
};

// Thread-safe. Borrows the store it guards and the database the checks run in.
class GatedObjectStore final : public lake::ObjectStore {
 public:
  GatedObjectStore(lake::LocalObjectStore& inner, lake::DuckDb& duckdb, std::vector<CheckSpec> checks, RunContext run,
                   bool force)
      : inner_(inner), duckdb_(duckdb), checks_(std::move(checks)), run_(std::move(run)), force_(force) {}

  core::Status put(std::string_view key, std::string_view bytes) override { return inner_.put(key, bytes); }
  core::Result<std::string> get(std::string_view key) const override { return inner_.get(key); }
  core::Result<std::vector<std::string>> list(std::string_view prefix) const override { return inner_.list(prefix); }
  core::Status remove(std::string_view key) override { return inner_.remove(key); }
  core::Status publish_directory(const std::filesystem::path& staged, std::string_view prefix) override;
  std::filesystem::path staging_dir(std::string_view prefix) const override { return inner_.staging_dir(prefix); }
  std::optional<std::filesystem::path> local_path(std::string_view key) const override { return inner_.local_path(key); }

  std::vector<CheckResult> results() const;
  std::vector<HeldPartition> held() const;

 private:
  lake::LocalObjectStore& inner_;
  lake::DuckDb& duckdb_;
  std::vector<CheckSpec> checks_;
  RunContext run_;
  bool force_;
  mutable std::mutex mutex_;
  std::vector<CheckResult> results_;
  std::vector<HeldPartition> held_;
};

}  // namespace cryptolake::quality
