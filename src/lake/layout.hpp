// Every key of the lake, named once. Nothing else spells out a key or a prefix:
//   raw/<source>/<dataset>/dt=YYYY-MM-DD/hour=HH/<batch>.ndjson.zst   what sources received
//   raw/<source>/<dataset>/dt=YYYY-MM-DD/<file>                       bulk files kept as they came
//   quarantine/<source>/<dataset>/dt=…/stage=<stage>/<batch>          rejected records, with reasons
//   curated/<table>/dt=YYYY-MM-DD/part-<n>.parquet                    tables (Hive-style)
//   _catalog/…                                                        registry, checkpoints, runs, lock, landing intents
//   _log/…                                                            the local bus
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/timestamp.hpp"

namespace cryptolake::lake::layout {

inline constexpr std::string_view kRaw = "raw/";
inline constexpr std::string_view kQuarantine = "quarantine/";
inline constexpr std::string_view kCurated = "curated/";
inline constexpr std::string_view kCatalog = "_catalog/";
inline constexpr std::string_view kLog = "_log/";

// raw/<source>/<dataset>/ (or raw/<source>/ with no dataset).
std::string raw_prefix(std::string_view source, std::string_view dataset = {});
std::string raw_batch_key(std::string_view source, std::string_view dataset, core::Timestamp received_at,
                          std::string_view batch_name);
std::string raw_file_key(std::string_view source, std::string_view dataset, std::string_view day, std::string_view name);
struct RawKey {
  std::string source;
  std::string dataset;
};
std::optional<RawKey> parse_raw_key(std::string_view key);

std::string quarantine_prefix(std::string_view source);
std::string quarantine_key(std::string_view source, std::string_view dataset, std::string_view day, std::string_view stage,
                           std::string_view name);

// curated/<table>/ and curated/<table>/dt=<dt>/ (trailing slash: a listing prefix).
std::string table_prefix(std::string_view table);
std::string partition_prefix(std::string_view table, std::string_view dt);
struct CuratedKey {
  std::string table;
  std::string dt;
};
// The table and dt of a curated Parquet key, or nothing for any other key.
std::optional<CuratedKey> parse_curated_key(std::string_view key);
// Where a partition that failed an error-level check waits (never listed): curated/<table>/_held/dt=<dt>
std::string held_prefix(std::string_view table, std::string_view dt);

// Small tables (dimensions, summaries) live whole in this one partition, rewritten each run.
inline constexpr std::string_view kStaticPartition = "1970-01-01";

std::string table_registry_key(std::string_view table);
// What the catalog's crawl learned of each partition (columns, rows, time range) by its content
// version, so an unchanged partition is not read again.
std::string crawl_cache_key(std::string_view table);
std::string checkpoint_key(std::string_view name);
std::string fingerprint_prefix(std::string_view table);
std::string fingerprint_key(std::string_view table, std::string_view dt);
// What a stage's last complete run consumed and wrote (schedule/stage_memo).
std::string stage_memo_key(std::string_view stage);
// What an incremental stage has consumed so far: raw batches, or its input partitions' versions.
std::string consumed_key(std::string_view stage);
// A lander's record of the raw batches it is landing from one bus partition (stream/land).
std::string landing_intent_key(std::string_view group, std::string_view topic, int32_t partition);
// Held by the lander landing that partition, from its intent to its commit.
std::string landing_lock_key(std::string_view group, std::string_view topic, int32_t partition);
// The content version of one curated partition (lake/partition_versions).
std::string partition_version_key(std::string_view table, std::string_view dt);

inline constexpr std::string_view kGapsLedgerKey = "_catalog/gaps/ledger.tsv";
inline constexpr std::string_view kGapsPrefix = "_catalog/gaps/";
inline constexpr std::string_view kFingerprintsPrefix = "_catalog/fingerprints/";
inline constexpr std::string_view kVersionsPrefix = "_catalog/versions/";
inline constexpr std::string_view kConsumedPrefix = "_catalog/consumed/";
inline constexpr std::string_view kStageRunsKey = "_catalog/runs/stages.tsv";
inline constexpr std::string_view kRateLimitsKey = "_catalog/runs/rate_limits.tsv";
// The scheduler's task runs, one file per day of their intervals' start (schedule/run_history).
inline constexpr std::string_view kTaskRunsPrefix = "_catalog/runs/tasks/";
std::string task_runs_key(std::string_view day);
// A task's output (stdout and stderr) and what it reported (rows in and out), per attempt.
std::string task_log_key(std::string_view run_id, int attempt);
std::string task_report_key(std::string_view run_id, int attempt);
// Held by the one scheduler of the lake.
inline constexpr std::string_view kSchedulerLockFile = "_catalog/scheduler.lock";
inline constexpr std::string_view kSimulatorManifestKey = "_catalog/simulator/manifest.json";
// Folders of the local lake that engines and locks use directly (relative to the lake root).
inline constexpr std::string_view kRateLedgerDir = "_catalog/rate";
inline constexpr std::string_view kLockFile = "_catalog/lock";
inline constexpr std::string_view kDuckdbHome = "_catalog/duckdb";

}  // namespace cryptolake::lake::layout
