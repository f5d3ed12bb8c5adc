#include "lake/layout.hpp"

#include <fmt/format.h>

namespace cryptolake::lake::layout {

std::string raw_prefix(std::string_view source, std::string_view dataset) {
  return dataset.empty() ? fmt::format("{}{}/", kRaw, source) : fmt::format("{}{}/{}/", kRaw, source, dataset);
}

std::string raw_batch_key(std::string_view source, std::string_view dataset, core::Timestamp received_at,
                          std::string_view batch_name) {
  return fmt::format("{}dt={}/hour={:02}/{}", raw_prefix(source, dataset), received_at.date(), received_at.hour_of_day(),
                     batch_name);
}

std::string raw_file_key(std::string_view source, std::string_view dataset, std::string_view day, std::string_view name) {
  return fmt::format("{}dt={}/{}", raw_prefix(source, dataset), day, name);
}

std::optional<RawKey> parse_raw_key(std::string_view key) {
  if (!key.starts_with(kRaw)) return std::nullopt;
  const size_t a = key.find('/', kRaw.size());
  if (a == std::string_view::npos) return std::nullopt;
  const size_t b = key.find('/', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  return RawKey{std::string(key.substr(kRaw.size(), a - kRaw.size())), std::string(key.substr(a + 1, b - a - 1))};
}

std::string quarantine_prefix(std::string_view source) { return fmt::format("{}{}/", kQuarantine, source); }

std::string quarantine_key(std::string_view source, std::string_view dataset, std::string_view day, std::string_view stage,
                           std::string_view name) {
  return fmt::format("{}{}/{}/dt={}/stage={}/{}", kQuarantine, source, dataset, day, stage, name);
}

std::string table_prefix(std::string_view table) { return fmt::format("{}{}/", kCurated, table); }

std::string partition_prefix(std::string_view table, std::string_view dt) {
  return fmt::format("{}{}/dt={}/", kCurated, table, dt);
}

std::optional<CuratedKey> parse_curated_key(std::string_view key) {
  if (!key.starts_with(kCurated) || !key.ends_with(".parquet")) return std::nullopt;
  const size_t slash = key.find('/', kCurated.size());
  if (slash == std::string_view::npos || key.substr(slash, 4) != "/dt=") return std::nullopt;
  const size_t end = key.find('/', slash + 4);
  if (end == std::string_view::npos) return std::nullopt;
  return CuratedKey{std::string(key.substr(kCurated.size(), slash - kCurated.size())),
                    std::string(key.substr(slash + 4, end - slash - 4))};
}

std::string held_prefix(std::string_view table, std::string_view dt) { return fmt::format("{}{}/_held/dt={}", kCurated, table, dt); }

std::string table_registry_key(std::string_view table) { return fmt::format("{}tables/{}.json", kCatalog, table); }
std::string checkpoint_key(std::string_view name) { return fmt::format("{}checkpoints/{}", kCatalog, name); }
std::string crawl_cache_key(std::string_view table) { return fmt::format("_catalog/crawl/{}.tsv", table); }
std::string task_runs_key(std::string_view day) { return fmt::format("{}{}.tsv", kTaskRunsPrefix, day); }
std::string task_log_key(std::string_view run_id, int attempt) { return fmt::format("_catalog/logs/tasks/{}.{}.log", run_id, attempt); }
std::string task_report_key(std::string_view run_id, int attempt) { return fmt::format("_catalog/runs/reports/{}.{}", run_id, attempt); }
std::string stage_memo_key(std::string_view stage) { return fmt::format("{}stages/{}", kFingerprintsPrefix, stage); }
std::string landing_intent_key(std::string_view group, std::string_view topic, int32_t partition) {
  return fmt::format("_catalog/landing/{}/{}/{}", group, topic, partition);
}
std::string landing_lock_key(std::string_view group, std::string_view topic, int32_t partition) {
  return landing_intent_key(group, topic, partition) + ".lock";
}
std::string consumed_key(std::string_view stage) { return fmt::format("{}{}", kConsumedPrefix, stage); }
std::string partition_version_key(std::string_view table, std::string_view dt) {
  return fmt::format("{}{}/dt={}", kVersionsPrefix, table, dt);
}
std::string fingerprint_prefix(std::string_view table) { return fmt::format("{}{}/", kFingerprintsPrefix, table); }
std::string fingerprint_key(std::string_view table, std::string_view dt) {
  return fmt::format("{}{}/dt={}", kFingerprintsPrefix, table, dt);
}

}  // namespace cryptolake::lake::layout
