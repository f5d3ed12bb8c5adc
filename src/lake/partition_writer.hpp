// Writes many partitions of one table on several threads, each with its own DuckDB connection.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/timestamp.hpp"
#include "lake/curated_writer.hpp"

namespace cryptolake::lake {

// Rows [begin, end) of some sorted input that make up partition dt.
struct PartitionSlice {
  std::string dt;
  size_t begin = 0;
  size_t end = 0;
};

// Groups rows sorted by day into one slice per day: `day_of(row)` is a day (days since the epoch;
// for a monthly table, the month's first day) and names the partition dt=YYYY-MM-DD.
template <typename Rows, typename DayOf>
std::vector<PartitionSlice> day_slices(const Rows& rows, DayOf day_of) {
  std::vector<PartitionSlice> slices;
  for (size_t begin = 0; begin < rows.size();) {
    size_t end = begin;
    const int64_t day = day_of(rows[begin]);
    while (end < rows.size() && day_of(rows[end]) == day) ++end;
    slices.push_back({core::Timestamp::from_micros(day * core::Timestamp::kMicrosPerDay).date(), begin, end});
    begin = end;
  }
  return slices;
}

// Consecutive days (keys in order) grouped so a group's rows stay within `max_rows`, once it holds
// `min_days` days; a day beyond the budget on its own stands alone.
std::vector<std::vector<int64_t>> day_groups(const std::map<int64_t, size_t>& rows_by_day, size_t max_rows, size_t min_days = 1);

using FillPartition = std::function<void(const PartitionSlice& slice, ColumnBatch& batch)>;

// Returns the number of partitions written; stops at the first error.
[[nodiscard]] core::Result<size_t> write_partitions(ObjectStore& store, DuckDb& duckdb,
                                                    std::string_view table, const std::vector<ColumnSpec>& schema,
                                                    const std::vector<PartitionSlice>& slices,
                                                    const FillPartition& fill, size_t threads);


struct QueryPartition {
  std::string dt;
  std::string select_sql;  // must order its rows
  // Keys of the objects it reads. When given, the partition is rewritten only if their content
  // changed since the last write (fingerprints under _catalog/fingerprints/).
  std::vector<std::string> inputs;
};

struct WrittenCounts {
  size_t partitions = 0;
  size_t rows = 0;
  size_t unchanged = 0;  // skipped: inputs identical to the last write
};

// What the partitions' queries read. Queries of files alone run on the batch writer instance
// (DuckDb::batch_writer): with no worker threads of its own there, each of our threads runs its
// query without contending for the cores (a 600-day hourly aggregate: ~6.5 s → ~5 s). A query of
// this instance's own tables or views must run on it.
enum class QueryReads { files, instance_tables };

// Writes each partition from a query result, on several threads.
[[nodiscard]] core::Result<WrittenCounts> write_query_partitions(ObjectStore& store, DuckDb& duckdb,
                                                          std::string_view table,
                                                          const std::vector<QueryPartition>& partitions,
                                                          QueryReads reads, size_t threads);

// Removes a table's partitions whose day ("YYYY-MM-DD") `doomed` says: a table that keeps only
// recent days, or a rewritten day that has no rows any more. Returns how many files went.
[[nodiscard]] core::Result<size_t> remove_partitions(ObjectStore& store, std::string_view table, const std::function<bool(std::string_view dt)>& doomed);
[[nodiscard]] inline core::Result<size_t> remove_partitions_before(ObjectStore& store, std::string_view table, std::string_view dt) {
  return remove_partitions(store, table, [dt](std::string_view day) { return day < dt; });
}

// The lake-relative glob of a table's files, as an absolute path for DuckDB ("…/curated/t/dt=*/*.parquet").
std::string table_glob(const ObjectStore& store, std::string_view table, std::string_view dt = "*");

}  // namespace cryptolake::lake
