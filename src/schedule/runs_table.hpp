// The run history's task runs as a curated table, `runs` (partitioned by the day their interval
// starts), so SQL, Athena and the dashboard see them like any other table.
#pragma once

#include <span>

#include "lake/curated_writer.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "schedule/run_history.hpp"

namespace cryptolake::schedule {

// run_id, task, interval_start, interval_end, state, attempt, started_at, ended_at, rows_in,
// rows_out, error: the columns of `cryptolake runs --format csv` too.
const std::vector<lake::ColumnSpec>& runs_schema();

// Rewrites the partitions of the days from `since` on (all with none) from the run history.
[[nodiscard]] core::Result<size_t> write_runs_table(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                    std::optional<core::Timestamp> since, size_t threads = 1);

}  // namespace cryptolake::schedule
