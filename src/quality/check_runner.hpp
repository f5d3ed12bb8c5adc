// Runs quality checks over the lake and records every outcome in dq_results
// (run_id, check, table_name, partition, status, severity, observed, threshold, at).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/timestamp.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "quality/quality_check.hpp"

namespace cryptolake::quality {

struct CheckResult {
  std::string run_id;
  std::string check;
  std::string table;
  std::string partition;  // dt, or "*" for table-level checks
  std::string status;     // pass | fail | skipped
  Severity severity = Severity::error;
  double observed = 0;
  std::string threshold;
  core::Timestamp at;
  std::string note;  // why skipped, or the engine's complaint
};

struct RunContext {
  std::string run_id;
  core::Timestamp at;
};

// table → dt → content version (lake/partition_versions) of what is published.
using TableVersions = std::map<std::string, std::map<std::string, std::string>>;
[[nodiscard]] core::Result<TableVersions> published_versions(lake::ObjectStore& store);
// What the last `quality --changed` run checked (_catalog/consumed/quality), and recording it.
TableVersions checked_versions(const lake::ObjectStore& store);
[[nodiscard]] core::Status record_checked_versions(lake::ObjectStore& store, const TableVersions& versions);

// What was checked last and what is published now (both from published_versions), for
// `quality --changed`.
struct ChangedSince {
  const TableVersions& checked;
  const TableVersions& now;
};

// Every check over every published partition of every table (or only `table`). With `changed`,
// a partition's check runs only when what it reads changed since `checked`: the partition (a
// row-count check: it or one of the 7 before it; a referential check: also any of its reference
// table; completeness: also that day's completeness partition). Table-level checks (freshness)
// always run: time passes.
[[nodiscard]] core::Result<std::vector<CheckResult>> run_checks(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                                const std::vector<CheckSpec>& checks,
                                                                const RunContext& run, std::string_view only_table = {},
                                                                const ChangedSince* changed = nullptr);

// The names of the tables with a published partition.
[[nodiscard]] std::set<std::string> published_tables(const lake::ObjectStore& store);

// The partition-local checks of `table` on files not yet published (`files_glob`); `tables_present`
// (published_tables) says which reference tables exist.
[[nodiscard]] core::Result<std::vector<CheckResult>> check_staged(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                                  const std::vector<CheckSpec>& checks,
                                                                  std::string_view table, std::string_view dt,
                                                                  std::string_view files_glob, const RunContext& run,
                                                                  const std::set<std::string>& tables_present);

// Appends results to dq_results (partition = the run's UTC day), keeping earlier runs' rows.
[[nodiscard]] core::Status append_results(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                          const std::vector<CheckResult>& results);

bool has_failed_error(const std::vector<CheckResult>& results);
// A readable report: failures first, then a count of passes per table.
std::string format_report(const std::vector<CheckResult>& results);

}  // namespace cryptolake::quality
