// The small tables the API reads, held in the database's memory: an uncached request then opens
// no file. A table's view (`agg_market_hourly`, …) points at its in-memory copy while the table
// fits the budget, and back at its Parquet files when it outgrows it. A background pass every
// `check_every` compares each table's content version (lake/partition_versions) with its copy's
// and replaces a stale copy, so an answer is at most about that much older than the lake. A copy
// of a table with a SeriesShape also gets its serve/series_index, made from the copy with it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "serve/series_index.hpp"

namespace cryptolake::serve {

struct HotOptions {
  size_t max_bytes = 64 << 20;                   // Parquet bytes of all copies together; 0: none held
  std::chrono::milliseconds check_every{1'000};  // 0: no background pass (refresh() by hand)
};

class HotTables {
 public:
  // Loads what fits now, then (with check_every) keeps it current from a thread of its own.
  [[nodiscard]] static core::Result<std::unique_ptr<HotTables>> start(const lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                                     std::vector<std::string> tables, HotOptions options,
                                                                     std::vector<SeriesShape> series = {});
  ~HotTables();
  HotTables(const HotTables&) = delete;
  HotTables& operator=(const HotTables&) = delete;

  // One pass: copies tables that changed or newly fit, releases those that no longer fit.
  [[nodiscard]] core::Status refresh();
  // The tables answered from memory now.
  std::vector<std::string> held() const;
  // The index of a table's copy; null while the table is not held (or has no index).
  std::shared_ptr<const SeriesIndex> series(std::string_view table) const;
  // The rows each index holds, by table.
  std::map<std::string, size_t> indexed_rows() const;

 private:
  struct Copy {
    std::string version;  // the table's content version when copied
    std::string name;     // the in-memory table
    std::shared_ptr<const SeriesIndex> index;
  };
  HotTables(const lake::ObjectStore& store, lake::DuckDb& duckdb, lake::DuckConnection connection, std::vector<std::string> tables,
            HotOptions options, std::vector<SeriesShape> series)
      : store_(store),
        duckdb_(duckdb),
        connection_(std::move(connection)),
        tables_(std::move(tables)),
        options_(options),
        shapes_(std::move(series)) {}

  std::shared_ptr<const SeriesIndex> index_of(const std::string& table, const std::string& copy);

  core::Status retire(const std::string& name);

  const lake::ObjectStore& store_;
  lake::DuckDb& duckdb_;  // told when a view moves to or from a copy
  lake::DuckConnection connection_;  // the refresher's own
  std::vector<std::string> tables_;
  HotOptions options_;
  std::vector<SeriesShape> shapes_;
  mutable std::mutex mutex_;
  std::map<std::string, Copy> copies_;
  // The copy a view last moved away from, dropped only at the next move: a session that saw the
  // views before the move may still run a plan kept over it (see DuckDb::views_changed).
  std::string retired_;
  std::jthread refresher_;
};

}  // namespace cryptolake::serve
