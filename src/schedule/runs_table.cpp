#include "schedule/runs_table.hpp"

#include "lake/partition_writer.hpp"

namespace cryptolake::schedule {

using lake::ColumnType;

const std::vector<lake::ColumnSpec>& runs_schema() {
  static const std::vector<lake::ColumnSpec> schema = {
      {"run_id", ColumnType::varchar},         {"task", ColumnType::varchar},          {"interval_start", ColumnType::timestamp_tz},
      {"interval_end", ColumnType::timestamp_tz}, {"state", ColumnType::varchar},     {"attempt", ColumnType::bigint},
      {"started_at", ColumnType::timestamp_tz}, {"ended_at", ColumnType::timestamp_tz}, {"rows_in", ColumnType::bigint},
      {"rows_out", ColumnType::bigint},        {"error", ColumnType::varchar}};
  return schema;
}

core::Result<size_t> write_runs_table(lake::ObjectStore& store, lake::DuckDb& duckdb, std::optional<core::Timestamp> since,
                                      size_t threads) {
  // A day is read whole, so its partition is rewritten with every run of it.
  const std::optional<core::Timestamp> day_start =
      since ? std::optional(core::Timestamp::from_micros(since->days_since_epoch() * core::Timestamp::kMicrosPerDay)) : std::nullopt;
  const std::vector<TaskRun> runs = RunHistory(store).task_runs(day_start);  // by interval start: by day
  const auto day_of = [](const TaskRun& r) { return r.interval_start.days_since_epoch(); };
  const auto time_or_null = [](lake::ColumnBatch& batch, const std::optional<core::Timestamp>& t) {
    if (t) batch.add(t->micros());
    else batch.add_null();
  };
  const auto count_or_null = [](lake::ColumnBatch& batch, const std::optional<int64_t>& n) {
    if (n) batch.add(*n);
    else batch.add_null();
  };
  const auto fill = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
    batch.reserve(slice.end - slice.begin);
    for (size_t r = slice.begin; r < slice.end; ++r) {
      const TaskRun& run = runs[r];
      batch.add(run.run_id);
      batch.add(run.task);
      batch.add(run.interval_start.micros());
      batch.add(run.interval_end.micros());
      batch.add(state_name(run.state));
      batch.add(int64_t{run.attempt});
      time_or_null(batch, run.started_at);
      time_or_null(batch, run.ended_at);
      count_or_null(batch, run.rows_in);
      count_or_null(batch, run.rows_out);
      batch.add(run.error);
      batch.end_row();
    }
  };
  return lake::write_partitions(store, duckdb, "runs", runs_schema(), lake::day_slices(runs, day_of), fill, threads);
}

}  // namespace cryptolake::schedule
