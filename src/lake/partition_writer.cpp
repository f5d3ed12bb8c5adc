#include "lake/partition_writer.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "core/hash.hpp"
#include "lake/layout.hpp"
#include "lake/partition_versions.hpp"
#include "lake/worker_pool.hpp"

namespace cryptolake::lake {

namespace {

// Runs `job(i, connection)` for i in [0, n) on up to `threads` threads, each with its own
// connection; stops handing out work after the first error and returns it.
core::Result<size_t> parallel_partitions(DuckDb& duckdb, size_t n, size_t threads,
                                         const std::function<core::Status(size_t, DuckConnection&)>& job) {
  threads = std::max<size_t>(1, std::min(threads, n));
  std::atomic<size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::optional<core::Error> first_error;
  const auto work = [&] {
    auto connection = duckdb.connect();
    if (!connection) {
      std::lock_guard lock(mutex);
      if (!first_error) first_error = connection.error();
      failed = true;
      return;
    }
    for (size_t i = next++; i < n && !failed; i = next++) {
      if (auto status = job(i, *connection); !status) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = status.error();
        failed = true;
        return;
      }
      ++done;
    }
  };
  run_on_threads(threads, [&](size_t) { work(); });
  if (first_error) return std::unexpected(*first_error);
  return done.load();
}

}  // namespace

std::string table_glob(const ObjectStore& store, std::string_view table, std::string_view dt) {
  return store.location(layout::partition_prefix(table, dt)) + "*.parquet";
}

namespace {

// FNV-1a over the inputs' keys and content: same content, same fingerprint, whatever the mtimes. A
// curated partition's content is its recorded version, so unchanged inputs are not read again.
core::Result<std::string> fingerprint(ObjectStore& store, const std::vector<std::string>& inputs,
                                      std::string_view sql) {
  uint64_t hash = core::fnv1a(sql);  // a changed query is a changed input too
  std::set<std::string> partitions_seen;
  for (const std::string& key : inputs) {
    hash = core::fnv1a(key, hash);
    if (const auto where = layout::parse_curated_key(key)) {
      if (!partitions_seen.insert(layout::partition_version_key(where->table, where->dt)).second) continue;
      TRY_ASSIGN(const std::string version, partition_version(store, where->table, where->dt));
      hash = core::fnv1a(version, hash);
      continue;
    }
    TRY_ASSIGN(const std::string bytes, store.get(key));
    hash = core::fnv1a(bytes, hash);
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace

core::Result<WrittenCounts> write_query_partitions(ObjectStore& store, DuckDb& duckdb,
                                                   std::string_view table,
                                                   const std::vector<QueryPartition>& partitions, QueryReads reads,
                                                   size_t threads) {
  DuckDb* engine = &duckdb;
  if (reads == QueryReads::files) {
    TRY_ASSIGN(engine, duckdb.batch_writer());
  }
  std::atomic<size_t> rows{0}, unchanged{0};
  TRY_ASSIGN(const size_t written, parallel_partitions(*engine, partitions.size(), threads,
                                                       [&](size_t i, DuckConnection& connection) -> core::Status {
    const QueryPartition& p = partitions[i];
    std::string print, print_key;
    if (!p.inputs.empty()) {
      TRY_ASSIGN(print, fingerprint(store, p.inputs, p.select_sql));
      print_key = layout::fingerprint_key(table, p.dt);
      const bool present = !store.list(layout::partition_prefix(table, p.dt)).value_or(std::vector<std::string>{}).empty();
      if (present && store.get(print_key).value_or("") == print) {
        ++unchanged;
        return core::Status{};
      }
    }
    CuratedWriter writer(connection, store);
    TRY_ASSIGN(const PartitionWritten done, writer.write_query(table, p.dt, p.select_sql));
    rows += done.rows;
    if (!print.empty()) TRY(store.put(print_key, print));
    return core::Status{};
  }));
  return WrittenCounts{written - unchanged.load(), rows.load(), unchanged.load()};
}

core::Result<size_t> write_partitions(ObjectStore& store, DuckDb& duckdb, std::string_view table,
                                      const std::vector<ColumnSpec>& schema,
                                      const std::vector<PartitionSlice>& slices, const FillPartition& fill,
                                      size_t threads) {
  TRY_ASSIGN(DuckDb* const batch_db, duckdb.batch_writer());
  return parallel_partitions(*batch_db, slices.size(), threads, [&](size_t i, DuckConnection& connection) -> core::Status {
    ColumnBatch batch(schema);
    fill(slices[i], batch);
    CuratedWriter writer(connection, store);
    TRY(writer.write(table, slices[i].dt, batch));
    return core::Status{};
  });
}

std::vector<std::vector<int64_t>> day_groups(const std::map<int64_t, size_t>& rows_by_day, size_t max_rows, size_t min_days) {
  std::vector<std::vector<int64_t>> groups;
  size_t in_group = 0;
  for (const auto& [day, rows] : rows_by_day) {
    if (groups.empty() || (groups.back().size() >= min_days && in_group + rows > max_rows)) {
      groups.emplace_back();
      in_group = 0;
    }
    groups.back().push_back(day);
    in_group += rows;
  }
  return groups;
}

core::Result<size_t> remove_partitions(ObjectStore& store, std::string_view table, const std::function<bool(std::string_view dt)>& doomed) {
  TRY_ASSIGN(const std::vector<std::string> keys, store.list(layout::table_prefix(table)));
  size_t removed = 0;
  for (const std::string& key : keys) {
    const auto where = layout::parse_curated_key(key);
    if (!where || where->table != table || !doomed(where->dt)) continue;
    TRY(store.remove(key));
    ++removed;
  }
  return removed;
}

}  // namespace cryptolake::lake
