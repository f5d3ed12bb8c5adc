// Quality gating at the storage port: an ObjectStore that checks every curated partition before
// it is published. A partition failing an error-level check is not published; it is held under
// curated/<table>/_held/dt=<day>/ for inspection (and replaced by the next run), unless forced.
#pragma once

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "quality/check_runner.hpp"

namespace cryptolake::quality {

struct HeldPartition {
  std::string table, dt;
  std::string path;  // where the staged files wait
};

// Thread-safe. Borrows the store it guards and the database the checks run in.
class GatedObjectStore final : public lake::ObjectStore {
 public:
  GatedObjectStore(lake::ObjectStore& inner, lake::DuckDb& duckdb, std::vector<CheckSpec> checks, RunContext run,
                   bool force)
      : inner_(inner), duckdb_(duckdb), checks_(std::move(checks)), run_(std::move(run)), force_(force) {}

  core::Status put(std::string_view key, std::string_view bytes) override { return inner_.put(key, bytes); }
  core::Result<std::string> get(std::string_view key) const override { return inner_.get(key); }
  core::Result<std::vector<std::string>> list(std::string_view prefix) const override { return inner_.list(prefix); }
  core::Result<std::vector<std::string>> list_prefixes(std::string_view prefix) const override { return inner_.list_prefixes(prefix); }
  core::Status remove(std::string_view key) override { return inner_.remove(key); }
  core::Result<uint64_t> size(std::string_view key) const override { return inner_.size(key); }
  core::Result<std::string> stage(std::string_view prefix) override { return inner_.stage(prefix); }
  core::Status publish(std::string_view staged, std::string_view prefix) override;
  void discard(std::string_view staged) override { inner_.discard(staged); }
  core::Status remove_stale_staging(std::string_view prefix) override { return inner_.remove_stale_staging(prefix); }
  std::string location(std::string_view key) const override { return inner_.location(key); }

  std::vector<CheckResult> results() const;
  std::vector<HeldPartition> held() const;

 private:
  std::set<std::string> tables_present();

  lake::ObjectStore& inner_;
  lake::DuckDb& duckdb_;
  std::vector<CheckSpec> checks_;
  RunContext run_;
  bool force_;
  mutable std::mutex mutex_;
  std::vector<CheckResult> results_;
  std::vector<HeldPartition> held_;
  std::optional<std::set<std::string>> present_;  // tables with a published partition, listed on first use
};

}  // namespace cryptolake::quality
