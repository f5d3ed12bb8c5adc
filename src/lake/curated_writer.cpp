#include "lake/curated_writer.hpp"

#include <memory>

#include <fmt/format.h>

#include "core/market.hpp"
#include "lake/partition_commit.hpp"

namespace cryptolake::lake {

using core::ErrorCode;
using core::fail;

namespace {

duckdb_type stage_type(ColumnType type) {
  switch (type) {
    case ColumnType::varchar:
    case ColumnType::varchar_list: return DUCKDB_TYPE_VARCHAR;
    case ColumnType::bigint:
    case ColumnType::boolean: return DUCKDB_TYPE_BIGINT;
    case ColumnType::float64: return DUCKDB_TYPE_DOUBLE;
    case ColumnType::timestamp_tz: return DUCKDB_TYPE_TIMESTAMP_TZ;
  }
  return DUCKDB_TYPE_VARCHAR;
}

std::string_view sql_type(ColumnType type) {
  switch (type) {
    case ColumnType::varchar:
    case ColumnType::varchar_list: return "VARCHAR";
    case ColumnType::bigint:
    case ColumnType::boolean: return "BIGINT";
    case ColumnType::float64: return "DOUBLE";
    case ColumnType::timestamp_tz: return "TIMESTAMPTZ";
  }
  return "VARCHAR";
}

bool is_int_column(ColumnType t) { return t == ColumnType::bigint || t == ColumnType::timestamp_tz || t == ColumnType::boolean; }
bool is_string_column(ColumnType t) { return t == ColumnType::varchar || t == ColumnType::varchar_list; }

}  // namespace

ColumnBatch::ColumnBatch(std::vector<ColumnSpec> schema)
    : schema_(std::move(schema)),
      ints_(schema_.size()),
      doubles_(schema_.size()),
      strings_(schema_.size()),
      nulls_(schema_.size()) {}

void ColumnBatch::reserve(size_t rows) {
  for (size_t c = 0; c < schema_.size(); ++c) {
    if (is_int_column(schema_[c].type)) ints_[c].reserve(rows);
    else if (is_string_column(schema_[c].type)) strings_[c].reserve(rows);
    else doubles_[c].reserve(rows);
  }
}

size_t ColumnBatch::cursor() {
  if (column_ >= schema_.size()) throw std::logic_error("ColumnBatch: more values than columns in a row");
  return column_++;
}

void ColumnBatch::add_null() {
  const size_t c = cursor();
  if (nulls_[c].empty()) nulls_[c].assign(rows_, false);
  nulls_[c].resize(rows_);
  nulls_[c].push_back(true);
  if (is_int_column(schema_[c].type)) ints_[c].push_back(0);
  else if (is_string_column(schema_[c].type)) strings_[c].emplace_back();
  else doubles_[c].push_back(0);
}

void ColumnBatch::end_row() {
  if (column_ != schema_.size()) throw std::logic_error("ColumnBatch: row ended before its last column");
  ++rows_;
  column_ = 0;
  for (auto& nulls : nulls_) {
    if (!nulls.empty()) nulls.resize(rows_, false);
  }
}

core::Status CuratedWriter::append(std::string_view stage, const ColumnBatch& batch) {
  const auto& schema = batch.schema();
  duckdb_appender appender;
  const std::string table(stage);
  if (duckdb_appender_create(connection_.handle(), nullptr, table.c_str(), &appender) == DuckDBError) {
    std::string message = duckdb_appender_error(appender) ? duckdb_appender_error(appender) : "?";
    duckdb_appender_destroy(&appender);
    return fail(ErrorCode::io_error, "duckdb appender: {}", message);
  }
  std::vector<duckdb_logical_type> types;
  for (const ColumnSpec& c : schema) types.push_back(duckdb_create_logical_type(stage_type(c.type)));
  duckdb_data_chunk chunk = duckdb_create_data_chunk(types.data(), types.size());
  for (auto& t : types) duckdb_destroy_logical_type(&t);

  const size_t capacity = duckdb_vector_size();
  core::Status status;
  for (size_t offset = 0; offset < batch.rows() && status; offset += capacity) {
    const size_t n = std::min(capacity, batch.rows() - offset);
    duckdb_data_chunk_reset(chunk);
    for (size_t c = 0; c < schema.size(); ++c) {
      duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, c);
      const ColumnType type = schema[c].type;
      if (is_int_column(type)) {
        auto* data = static_cast<int64_t*>(duckdb_vector_get_data(vector));
        for (size_t r = 0; r < n; ++r) data[r] = batch.int_at(c, offset + r);
      } else if (is_string_column(type)) {
        for (size_t r = 0; r < n; ++r) {
          const std::string& s = batch.string_at(c, offset + r);
          duckdb_vector_assign_string_element_len(vector, r, s.data(), s.size());
        }
      } else {
        auto* data = static_cast<double*>(duckdb_vector_get_data(vector));
        for (size_t r = 0; r < n; ++r) data[r] = batch.double_at(c, offset + r);
      }
      bool any_null = false;
      for (size_t r = 0; r < n && !any_null; ++r) any_null = batch.is_null(c, offset + r);
      if (any_null) {
        duckdb_vector_ensure_validity_writable(vector);
        uint64_t* validity = duckdb_vector_get_validity(vector);
        for (size_t r = 0; r < n; ++r) {
          if (batch.is_null(c, offset + r)) duckdb_validity_set_row_invalid(validity, r);
        }
      }
    }
    duckdb_data_chunk_set_size(chunk, n);
    if (duckdb_append_data_chunk(appender, chunk) == DuckDBError) {
      status = fail(ErrorCode::io_error, "duckdb append: {}", duckdb_appender_error(appender));
    }
  }
  duckdb_destroy_data_chunk(&chunk);
  if (status && duckdb_appender_close(appender) == DuckDBError) {
    status = fail(ErrorCode::io_error, "duckdb append: {}", duckdb_appender_error(appender));
  }
  duckdb_appender_destroy(&appender);
  return status;
}

core::Result<PartitionWritten> CuratedWriter::write(std::string_view table, std::string_view dt,
                                                    const ColumnBatch& batch) {
  const std::string stage = fmt::format("stage_{}", table);
  std::string columns, select;
  for (const ColumnSpec& c : batch.schema()) {
    if (!columns.empty()) {
      columns += ", ";
      select += ", ";
    }
    columns += fmt::format("{} {}", sql_identifier(c.name), sql_type(c.type));
    if (c.type == ColumnType::varchar_list) {
      // Lists travel joined by a separator; an empty cell is an empty list.
      select += fmt::format("CASE WHEN {0} = '' THEN []::VARCHAR[] ELSE string_split({0}, chr({1})) END AS {0}",
                            sql_identifier(c.name), static_cast<int>(core::kListSeparator));
    } else if (c.type == ColumnType::boolean) {
      select += fmt::format("CAST({0} AS BOOLEAN) AS {0}", sql_identifier(c.name));
    } else {
      select += sql_identifier(c.name);
    }
  }
  TRY(connection_.execute(fmt::format("CREATE OR REPLACE TEMP TABLE {} ({})", stage, columns)));
  TRY(append(stage, batch));
  auto written = write_query(table, dt, fmt::format("SELECT {} FROM {}", select, stage));
  TRY(connection_.execute(fmt::format("DROP TABLE IF EXISTS {}", stage)));
  return written;
}

core::Result<PartitionWritten> CuratedWriter::write_query(std::string_view table, std::string_view dt,
                                                          std::string_view select_sql) {
  TRY_ASSIGN(PartitionCommit commit, PartitionCommit::open(store_, table, dt));
  const std::string path = commit.file(0);
  TRY_ASSIGN(QueryResult copied,
             connection_.query(fmt::format("COPY ({}) TO {} ({})", select_sql, sql_string(path), kParquetOptions)));
  const auto rows = static_cast<size_t>(copied.int64(0, 0));
  TRY(commit.publish());
  return PartitionWritten{std::string(table), std::string(dt), rows};
}

}  // namespace cryptolake::lake
