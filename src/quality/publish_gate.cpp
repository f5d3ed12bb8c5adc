#include "quality/publish_gate.hpp"
#include "lake/layout.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace cryptolake::quality {

namespace fs = std::filesystem;

core::Status GatedObjectStore::publish(std::string_view staged, std::string_view prefix) {
  // curated/<table>/dt=<day>
  const size_t table_end = prefix.find('/', 8);
  if (!prefix.starts_with(lake::layout::kCurated) || table_end == std::string_view::npos || prefix.find("/dt=") != table_end) {
    return inner_.publish(staged, prefix);
  }
  const std::string table(prefix.substr(8, table_end - 8));
  const std::string dt(prefix.substr(table_end + 4));
  TRY_ASSIGN(std::vector<CheckResult> results,
             check_staged(inner_, duckdb_, checks_, table, dt, inner_.location(std::string(staged) + "*.parquet"), run_, tables_present()));
  const bool blocked = has_failed_error(results);
  {
    std::lock_guard lock(mutex_);
    std::move(results.begin(), results.end(), std::back_inserter(results_));
  }
  if (!blocked || force_) {
    if (blocked) spdlog::warn("{} dt={}: failed an error-level check; published anyway (--force)", table, dt);
    TRY(inner_.publish(staged, prefix));
    std::lock_guard lock(mutex_);
    if (present_) present_->insert(table);
    return {};
  }
  const std::string held_prefix = lake::layout::held_prefix(table, dt);
  if (auto held = inner_.publish(staged, held_prefix); !held) {
    return core::fail(core::ErrorCode::io_error, "cannot hold {} dt={}: {}", table, dt, held.error().message);
  }
  const std::string held = inner_.location(held_prefix);
  spdlog::error("{} dt={}: failed an error-level check; not published, held in {}", table, dt, held);
  std::lock_guard lock(mutex_);
  held_.push_back({table, dt, held});
  return {};
}

std::set<std::string> GatedObjectStore::tables_present() {
  std::lock_guard lock(mutex_);
  // Listed once per run, then kept up to date here: listing the curated zone per partition made
  // writing a table cost its partitions times the lake's.
  if (!present_) present_ = published_tables(inner_);
  return *present_;
}

std::vector<CheckResult> GatedObjectStore::results() const {
  std::lock_guard lock(mutex_);
  return results_;
}

std::vector<HeldPartition> GatedObjectStore::held() const {
  std::lock_guard lock(mutex_);
  return held_;
}

}  // namespace cryptolake::quality
