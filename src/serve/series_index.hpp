// One in-memory table's rows kept by series — the rows that share the values of the key columns
// (symbol, interval) — newest first, with an API answer's columns as DuckDB computed them. A
// request for one series is then a binary search and the text of the rows it takes: nothing is
// parsed, planned or scanned. The text is what the same SELECT through query::SqlSession writes
// (serve_test compares both, byte for byte). Built from a copy of serve/hot_tables and replaced
// with it; immutable once built, so requests share it without a lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/timestamp.hpp"
#include "lake/duckdb.hpp"
#include "query/sql_session.hpp"

namespace cryptolake::serve {

// What a per-series route answers, as SQL: the one definition both its SQL and its index use.
struct SeriesShape {
  std::string table;
  std::vector<std::string> keys;  // the columns a request names one value of each (VARCHAR)
  std::string time;               // the instant a request's from/to bound, newest first (TIMESTAMPTZ)
  std::string columns;            // the answer's select list
};

struct SeriesRequest {
  std::vector<std::string> key;  // one value per SeriesShape::keys
  std::optional<core::Timestamp> from;  // rows at or after
  std::optional<core::Timestamp> to;    // rows before
  size_t limit = 0;
};

class SeriesIndex {
 public:
  // Reads `source` (a table or view) once; fails when an answer column has a type it does not
  // hold (DOUBLE, the integers and VARCHAR are held; the route then answers by SQL).
  [[nodiscard]] static core::Result<std::shared_ptr<const SeriesIndex>> build(lake::DuckConnection& connection, std::string_view source,
                                                                             const SeriesShape& shape);

  // What `SELECT <columns> FROM <table> WHERE <key> = … AND <time> >= from AND <time> < to
  // ORDER BY <time> DESC LIMIT n` answers (rows without a time last, and only when unbounded).
  query::ResultTable answer(const SeriesRequest& request, const query::SqlSession::Limits& limits) const;
  size_t rows() const { return rows_; }

 private:
  struct Column {
    enum class Kind : uint8_t { real, integer, text };
    Kind kind = Kind::real;
    std::vector<double> reals;
    std::vector<int64_t> integers;
    std::vector<std::string> texts;
    std::vector<bool> valid;

    std::optional<std::string> cell(size_t row) const;
  };
  struct Series {
    std::vector<int64_t> micros;  // of the rows with a time, newest first; the rows after them have none
    std::vector<Column> columns;
  };

  std::vector<std::string> names_;
  std::vector<bool> numeric_;
  std::map<std::vector<std::string>, Series> series_;
  size_t rows_ = 0;
};

}  // namespace cryptolake::serve
