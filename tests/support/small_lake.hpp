// A small real lake for unit tests of the stages: the simulator's klines (and posts) for a few
// symbols and days landed in a temp dir and transformed to market_ohlcv, with DuckDB beside it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lake/duckdb.hpp"
#include "lake/local_object_store.hpp"
#include "sources/simulator/simulator.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::testing {

struct SmallLake {
  SmallLake(std::vector<std::string> symbols, int days, bool posts = false);

  TempDir dir;
  lake::LocalObjectStore store{dir.path()};
  std::unique_ptr<lake::DuckDb> duckdb;
  sources::simulator::SimulationReport manifest;

  // Rows of a query, every value as text (NULL as "").
  std::vector<std::vector<std::string>> rows(const std::string& sql);
  // The glob of a table's files, for read_parquet.
  std::string table(std::string_view name) const;
};

}  // namespace cryptolake::testing
