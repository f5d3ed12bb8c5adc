#include "serve/hot_tables.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "catalog/ddl_export.hpp"
#include "lake/layout.hpp"
#include "lake/partition_versions.hpp"

namespace cryptolake::serve {

core::Result<std::unique_ptr<HotTables>> HotTables::start(const lake::ObjectStore& store, lake::DuckDb& duckdb, std::vector<std::string> tables,
                                                          HotOptions options, std::vector<SeriesShape> series) {
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  TRY(connection.execute("CREATE SCHEMA IF NOT EXISTS hot"));
  std::unique_ptr<HotTables> hot(new HotTables(store, duckdb, std::move(connection), std::move(tables), options, std::move(series)));
  TRY(hot->refresh());
  if (options.check_every.count() > 0) {
    hot->refresher_ = std::jthread([self = hot.get()](std::stop_token stop) {
      std::mutex m;
      std::condition_variable_any wake;
      std::string last_error;
      for (std::unique_lock lock(m);;) {
        wake.wait_for(lock, stop, self->options_.check_every, [] { return false; });
        if (stop.stop_requested()) return;
        lock.unlock();
        // A failed pass keeps the copies it had (still right up to their version): say so once.
        if (auto done = self->refresh(); !done && done.error().message != last_error) {
          last_error = done.error().message;
          spdlog::warn("serve: cannot refresh the in-memory tables: {}", last_error);
        } else if (done) {
          last_error.clear();
        }
        lock.lock();
      }
    });
  }
  return hot;
}

HotTables::~HotTables() {
  refresher_.request_stop();
  if (refresher_.joinable()) refresher_.join();
}

namespace {

// The order a copy is kept in: by symbol where there is one (the API asks by symbol, and row
// groups of other symbols are skipped by their min/max), then newest first (the API asks for the
// newest rows: a top-N over rows met newest first fills at once and rejects the rest with one
// comparison each, where oldest first replaced its heap's entries on every row).
core::Result<std::string> copy_order(lake::DuckConnection& connection, const std::string& source) {
  TRY_ASSIGN(lake::QueryResult described, connection.query(fmt::format("SELECT column_name FROM (DESCRIBE SELECT * FROM {})", source)));
  std::set<std::string> columns;
  for (size_t r = 0; r < described.row_count(); ++r) columns.insert(described.text(0, r));
  std::string order = columns.contains("symbol") ? "symbol, " : "";
  for (const char* time : {"open_time", "hour", "month_start", "ts", "time"}) {
    if (columns.contains(time)) return order + lake::sql_identifier(time) + " DESC";
  }
  return order + "dt DESC";
}

}  // namespace

core::Status HotTables::refresh() {
  std::string root = store_.location("");
  while (root.ends_with('/')) root.pop_back();
  size_t budget = options_.max_bytes;
  for (const std::string& table : tables_) {
    TRY_ASSIGN(const std::vector<std::string> keys, store_.list(lake::layout::table_prefix(table)));
    uint64_t bytes = 0;
    size_t files = 0;
    for (const std::string& key : keys) {
      if (!lake::layout::parse_curated_key(key)) continue;
      TRY_ASSIGN(const uint64_t size, store_.size(key));
      bytes += size;
      ++files;
    }
    std::optional<Copy> held;
    {
      std::lock_guard lock(mutex_);
      if (auto it = copies_.find(table); it != copies_.end()) held = it->second;
    }
    const std::string view = lake::sql_identifier(table);
    const std::string source = catalog::duckdb_source(root, table);
    if (files > 0 && bytes <= budget) {
      budget -= bytes;
      // The version first: a publish after it makes the copy newer than its version, never older,
      // and the next pass copies again.
      TRY_ASSIGN(const std::string version, lake::read_table_version(store_, table));
      if (held && held->version == version) continue;
      // Named uniquely in the database: two routers over one database (tests) keep apart.
      static std::atomic<uint64_t> generation{0};
      const std::string name = fmt::format("{}_{}", table, ++generation);
      TRY_ASSIGN(const std::string order, copy_order(connection_, source));
      TRY(connection_.execute(fmt::format("CREATE TABLE hot.{} AS SELECT * FROM {} ORDER BY {}", lake::sql_identifier(name), source, order)));
      std::shared_ptr<const SeriesIndex> index = index_of(table, name);
      TRY(connection_.execute(fmt::format("CREATE OR REPLACE VIEW {} AS SELECT * FROM hot.{}", view, lake::sql_identifier(name))));
      duckdb_.views_changed();
      if (held) TRY(retire(held->name));
      std::lock_guard lock(mutex_);
      copies_[table] = {version, name, std::move(index)};
    } else if (held) {
      TRY(connection_.execute(fmt::format("CREATE OR REPLACE VIEW {} AS SELECT * FROM {}", view, source)));
      duckdb_.views_changed();
      TRY(retire(held->name));
      std::lock_guard lock(mutex_);
      copies_.erase(table);
    }
  }
  return {};
}

core::Status HotTables::retire(const std::string& name) {
  if (!retired_.empty()) TRY(connection_.execute(fmt::format("DROP TABLE hot.{}", lake::sql_identifier(retired_))));
  retired_ = name;
  return {};
}

std::shared_ptr<const SeriesIndex> HotTables::index_of(const std::string& table, const std::string& copy) {
  const auto shape = std::ranges::find(shapes_, table, &SeriesShape::table);
  if (shape == shapes_.end()) return nullptr;
  auto index = SeriesIndex::build(connection_, "hot." + lake::sql_identifier(copy), *shape);
  if (index) return *index;
  spdlog::warn("serve: {} is answered by SQL, not from its index: {}", table, index.error().message);
  return nullptr;
}

std::shared_ptr<const SeriesIndex> HotTables::series(std::string_view table) const {
  std::lock_guard lock(mutex_);
  const auto it = copies_.find(std::string(table));
  return it == copies_.end() ? nullptr : it->second.index;
}

std::map<std::string, size_t> HotTables::indexed_rows() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, size_t> rows;
  for (const auto& [table, copy] : copies_) {
    if (copy.index) rows[table] = copy.index->rows();
  }
  return rows;
}

std::vector<std::string> HotTables::held() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [table, copy] : copies_) names.push_back(table);
  return names;
}

}  // namespace cryptolake::serve
