#include "lake/batch_scan.hpp"

#include <algorithm>
#include <mutex>
#include <random>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "core/market.hpp"
#include "lake/curated_writer.hpp"

namespace cryptolake::lake {

namespace {

constexpr const char* kFunctionName = "cryptolake_batch";

// The batches on loan, by token. Tokens are random, so a query cannot guess one that is lent.
class Loans {
 public:
  int64_t lend(const ColumnBatch& batch) {
    std::lock_guard lock(mutex_);
    int64_t token = 0;
    do token = static_cast<int64_t>(random_() >> 1);  // positive: it travels as a BIGINT literal
    while (token == 0 || loans_.contains(token));
    loans_.emplace(token, &batch);
    return token;
  }
  void end(int64_t token) {
    std::lock_guard lock(mutex_);
    loans_.erase(token);
  }
  const ColumnBatch* find(int64_t token) {
    std::lock_guard lock(mutex_);
    const auto it = loans_.find(token);
    return it == loans_.end() ? nullptr : it->second;
  }

 private:
  std::mutex mutex_;
  std::mt19937_64 random_{std::random_device{}()};
  std::unordered_map<int64_t, const ColumnBatch*> loans_;
};

Loans& loans() {
  static Loans instance;
  return instance;
}

duckdb_logical_type logical_type(ColumnType type) {
  switch (type) {
    case ColumnType::varchar: return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    case ColumnType::bigint: return duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    case ColumnType::float64: return duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
    case ColumnType::timestamp_tz: return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_TZ);
    case ColumnType::boolean: return duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
    case ColumnType::varchar_list: {
      duckdb_logical_type item = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
      duckdb_logical_type list = duckdb_create_list_type(item);
      duckdb_destroy_logical_type(&item);
      return list;
    }
  }
  return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
}

void bind(duckdb_bind_info info) {
  duckdb_value token = duckdb_bind_get_parameter(info, 0);
  const ColumnBatch* batch = loans().find(duckdb_get_int64(token));
  duckdb_destroy_value(&token);
  if (batch == nullptr) {
    duckdb_bind_set_error(info, "cryptolake_batch: no batch is lent under this token");
    return;
  }
  for (const ColumnSpec& column : batch->schema()) {
    duckdb_logical_type type = logical_type(column.type);
    duckdb_bind_add_result_column(info, column.name.c_str(), type);
    duckdb_destroy_logical_type(&type);
  }
  duckdb_bind_set_cardinality(info, batch->rows(), true);
  duckdb_bind_set_bind_data(info, const_cast<ColumnBatch*>(batch), nullptr);  // lent, not owned
}

struct ScanState {
  size_t next_row = 0;
};

void init(duckdb_init_info info) {
  duckdb_init_set_init_data(info, new ScanState, [](void* state) { delete static_cast<ScanState*>(state); });
  duckdb_init_set_max_threads(info, 1);  // one reader keeps the rows in the batch's order
}

// A list cell travels joined by core::kListSeparator; an empty cell is an empty list.
void fill_list(duckdb_vector vector, const ColumnBatch& batch, size_t column, size_t first, size_t n) {
  auto* entries = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(vector));
  duckdb_vector child = duckdb_list_vector_get_child(vector);
  size_t items = duckdb_list_vector_get_size(vector);
  for (size_t r = 0; r < n; ++r) {
    const std::string& cell = batch.string_at(column, first + r);
    entries[r].offset = items;
    size_t count = 0;
    if (!cell.empty()) {
      count = static_cast<size_t>(std::count(cell.begin(), cell.end(), core::kListSeparator)) + 1;
      duckdb_list_vector_reserve(vector, items + count);
      child = duckdb_list_vector_get_child(vector);
      std::string_view rest = cell;
      for (size_t i = 0; i < count; ++i) {
        const size_t end = std::min(rest.find(core::kListSeparator), rest.size());
        duckdb_vector_assign_string_element_len(child, items + i, rest.data(), end);
        rest.remove_prefix(std::min(end + 1, rest.size()));
      }
    }
    entries[r].length = count;
    items += count;
    duckdb_list_vector_set_size(vector, items);
  }
}

void scan(duckdb_function_info info, duckdb_data_chunk output) {
  const auto& batch = *static_cast<const ColumnBatch*>(duckdb_function_get_bind_data(info));
  auto& state = *static_cast<ScanState*>(duckdb_function_get_init_data(info));
  const size_t first = state.next_row;
  const size_t n = std::min<size_t>(duckdb_vector_size(), batch.rows() - first);
  const auto& schema = batch.schema();
  for (size_t c = 0; c < schema.size() && n > 0; ++c) {
    duckdb_vector vector = duckdb_data_chunk_get_vector(output, c);
    switch (schema[c].type) {
      case ColumnType::bigint:
      case ColumnType::timestamp_tz: {
        auto* data = static_cast<int64_t*>(duckdb_vector_get_data(vector));
        for (size_t r = 0; r < n; ++r) data[r] = batch.int_at(c, first + r);
        break;
      }
      case ColumnType::boolean: {
        auto* data = static_cast<bool*>(duckdb_vector_get_data(vector));
        for (size_t r = 0; r < n; ++r) data[r] = batch.int_at(c, first + r) != 0;
        break;
      }
      case ColumnType::float64: {
        auto* data = static_cast<double*>(duckdb_vector_get_data(vector));
        for (size_t r = 0; r < n; ++r) data[r] = batch.double_at(c, first + r);
        break;
      }
      case ColumnType::varchar:
        for (size_t r = 0; r < n; ++r) {
          const std::string& s = batch.string_at(c, first + r);
          duckdb_vector_assign_string_element_len(vector, r, s.data(), s.size());
        }
        break;
      case ColumnType::varchar_list: fill_list(vector, batch, c, first, n); break;
    }
    if (batch.has_nulls(c)) {
      duckdb_vector_ensure_validity_writable(vector);
      uint64_t* validity = duckdb_vector_get_validity(vector);
      for (size_t r = 0; r < n; ++r) {
        if (batch.is_null(c, first + r)) duckdb_validity_set_row_invalid(validity, r);
      }
    }
  }
  duckdb_data_chunk_set_size(output, n);
  state.next_row += n;
}

}  // namespace

BatchLoan::BatchLoan(const ColumnBatch& batch) : token_(loans().lend(batch)) {}

BatchLoan::~BatchLoan() { loans().end(token_); }

std::string BatchLoan::table_sql() const { return fmt::format("{}({})", kFunctionName, token_); }

core::Status register_batch_scan(duckdb_connection connection) {
  duckdb_table_function function = duckdb_create_table_function();
  duckdb_table_function_set_name(function, kFunctionName);
  duckdb_logical_type token = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  duckdb_table_function_add_parameter(function, token);
  duckdb_destroy_logical_type(&token);
  duckdb_table_function_set_bind(function, bind);
  duckdb_table_function_set_init(function, init);
  duckdb_table_function_set_function(function, scan);
  const bool failed = duckdb_register_table_function(connection, function) == DuckDBError;
  duckdb_destroy_table_function(&function);
  if (failed) return core::fail(core::ErrorCode::unavailable, "duckdb: cannot register {}", kFunctionName);
  return {};
}

}  // namespace cryptolake::lake
