#include "serve/series_index.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace cryptolake::serve {

namespace {

constexpr std::string_view kMicros = "__series_micros";

core::Result<uint8_t> integer_width(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BIGINT: return 8;
    case DUCKDB_TYPE_INTEGER: return 4;
    case DUCKDB_TYPE_SMALLINT: return 2;
    case DUCKDB_TYPE_TINYINT: return 1;
    default: return core::fail(core::ErrorCode::invalid_argument, "not an integer");
  }
}

int64_t integer_at(const void* data, uint8_t width, size_t row) {
  switch (width) {
    case 8: return static_cast<const int64_t*>(data)[row];
    case 4: return static_cast<const int32_t*>(data)[row];
    case 2: return static_cast<const int16_t*>(data)[row];
    default: return static_cast<const int8_t*>(data)[row];
  }
}

bool valid_at(duckdb_vector vector, size_t row) {
  const uint64_t* validity = duckdb_vector_get_validity(vector);
  return validity == nullptr || duckdb_validity_row_is_valid(const_cast<uint64_t*>(validity), row);
}

}  // namespace

std::optional<std::string> SeriesIndex::Column::cell(size_t row) const {
  if (!valid[row]) return std::nullopt;
  switch (kind) {
    case Kind::real: return lake::double_text(reals[row]);
    case Kind::integer: return fmt::format_int(integers[row]).str();
    case Kind::text: break;
  }
  return texts[row];
}

core::Result<std::shared_ptr<const SeriesIndex>> SeriesIndex::build(lake::DuckConnection& connection, std::string_view source,
                                                                   const SeriesShape& shape) {
  std::string keys, present;
  for (const std::string& key : shape.keys) {
    keys += lake::sql_identifier(key) + ", ";
    present += fmt::format("{}{} IS NOT NULL", present.empty() ? "" : " AND ", lake::sql_identifier(key));
  }
  // A row whose key is null is never asked for (`symbol = …` is not true of it).
  TRY_ASSIGN(lake::QueryResult result,
             connection.query(fmt::format("SELECT {0}epoch_us({1}) AS {2}, {3} FROM {4} WHERE {5} ORDER BY {0}{2} DESC NULLS LAST", keys,
                                          shape.time, kMicros, shape.columns, source, present.empty() ? "true" : present)));
  const size_t first = shape.keys.size() + 1;  // the first answer column
  auto index = std::make_shared<SeriesIndex>();
  std::vector<Column::Kind> kinds;
  std::vector<uint8_t> widths;
  for (size_t c = 0; c < first; ++c) {
    const duckdb_type expected = c + 1 < first ? DUCKDB_TYPE_VARCHAR : DUCKDB_TYPE_BIGINT;
    if (result.column_type(c) != expected) return core::fail(core::ErrorCode::invalid_argument, "{}: a key or time of another type", shape.table);
  }
  for (size_t c = first; c < result.column_count(); ++c) {
    const duckdb_type type = result.column_type(c);
    index->names_.push_back(result.column_name(c));
    index->numeric_.push_back(type != DUCKDB_TYPE_VARCHAR);
    auto width = integer_width(type);
    widths.push_back(width ? *width : 0);
    if (type == DUCKDB_TYPE_DOUBLE) kinds.push_back(Column::Kind::real);
    else if (type == DUCKDB_TYPE_VARCHAR) kinds.push_back(Column::Kind::text);
    else if (width) kinds.push_back(Column::Kind::integer);
    else return core::fail(core::ErrorCode::invalid_argument, "{}: column {} is of a type not held", shape.table, index->names_.back());
  }
  Series* series = nullptr;
  std::vector<std::string> key(shape.keys.size());
  while (duckdb_data_chunk chunk = result.fetch_chunk()) {
    std::unique_ptr<std::remove_pointer_t<duckdb_data_chunk>, void (*)(duckdb_data_chunk)> owned(chunk, [](duckdb_data_chunk c) {
      duckdb_destroy_data_chunk(&c);
    });
    const size_t n = duckdb_data_chunk_get_size(chunk);
    std::vector<duckdb_vector> vectors;
    for (size_t c = 0; c < result.column_count(); ++c) vectors.push_back(duckdb_data_chunk_get_vector(chunk, c));
    const auto* micros = static_cast<const int64_t*>(duckdb_vector_get_data(vectors[first - 1]));
    for (size_t r = 0; r < n; ++r) {
      bool same = series != nullptr;
      for (size_t k = 0; k < key.size(); ++k) {
        const std::string_view value = lake::string_cell(vectors[k], r);
        if (value != key[k]) key[k] = value, same = false;
      }
      if (!same) {
        series = &index->series_[key];
        series->columns.resize(kinds.size());
        for (size_t c = 0; c < kinds.size(); ++c) series->columns[c].kind = kinds[c];
      }
      const size_t row = series->columns.empty() ? 0 : series->columns[0].valid.size();
      if (valid_at(vectors[first - 1], r)) {
        if (series->micros.size() != row) return core::fail(core::ErrorCode::corrupt_data, "{}: a row with a time after one without", shape.table);
        series->micros.push_back(micros[r]);
      }
      for (size_t c = 0; c < kinds.size(); ++c) {
        duckdb_vector vector = vectors[first + c];
        Column& column = series->columns[c];
        const bool valid = valid_at(vector, r);
        column.valid.push_back(valid);
        switch (kinds[c]) {
          case Column::Kind::real: column.reals.push_back(valid ? static_cast<const double*>(duckdb_vector_get_data(vector))[r] : 0.0); break;
          case Column::Kind::integer: column.integers.push_back(valid ? integer_at(duckdb_vector_get_data(vector), widths[c], r) : 0); break;
          case Column::Kind::text: column.texts.emplace_back(valid ? lake::string_cell(vector, r) : std::string_view()); break;
        }
      }
      ++index->rows_;
    }
  }
  return index;
}

query::ResultTable SeriesIndex::answer(const SeriesRequest& request, const query::SqlSession::Limits& limits) const {
  query::ResultTable table;
  table.columns = names_;
  table.numeric = numeric_;
  const auto it = series_.find(request.key);
  if (it == series_.end()) return table;
  const Series& series = it->second;
  const std::vector<int64_t>& micros = series.micros;
  // Newest first: the rows before `to` start where the times drop below it, and end where they drop below `from`.
  const auto rows_at_or_after = [&](const std::optional<core::Timestamp>& bound) {
    return static_cast<size_t>(std::ranges::partition_point(micros, [&](int64_t t) { return t >= bound->micros(); }) - micros.begin());
  };
  const size_t begin = request.to ? rows_at_or_after(request.to) : 0;
  const size_t end = request.from ? rows_at_or_after(request.from) : micros.size();
  // Without bounds, the rows without a time follow (a bound is not true of them).
  const size_t stop = request.from || request.to ? end : (series.columns.empty() ? 0 : series.columns[0].valid.size());
  size_t bytes = 0;
  for (size_t r = begin; r < stop && table.rows.size() < request.limit; ++r) {
    std::vector<std::optional<std::string>> row;
    row.reserve(series.columns.size());
    for (const Column& column : series.columns) row.push_back(column.cell(r));
    if (!query::append_row(table, std::move(row), limits, bytes)) {
      table.truncated = true;
      break;
    }
  }
  return table;
}

}  // namespace cryptolake::serve
