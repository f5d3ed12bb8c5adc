// A ColumnBatch read by DuckDB in place, as the table function cryptolake_batch(token): COPY
// writes a partition to Parquet straight from the rows in memory, with no temporary table in
// between (appending to one, then scanning it, was half of every partition's write).
#pragma once

#include <cstdint>
#include <string>

#include <duckdb.h>

#include "core/result.hpp"

namespace cryptolake::lake {

class ColumnBatch;

// Lends a batch to the scan for as long as it lives; the scan answers only for tokens on loan,
// so a query naming any other token fails at bind time. Thread-safe.
class BatchLoan {
 public:
  explicit BatchLoan(const ColumnBatch& batch);
  ~BatchLoan();
  BatchLoan(const BatchLoan&) = delete;
  BatchLoan& operator=(const BatchLoan&) = delete;

  // The FROM item that reads the batch: "cryptolake_batch(<token>)".
  std::string table_sql() const;

 private:
  int64_t token_;
};

// Registers cryptolake_batch in the database of `connection`; once per database.
[[nodiscard]] core::Status register_batch_scan(duckdb_connection connection);

}  // namespace cryptolake::lake
