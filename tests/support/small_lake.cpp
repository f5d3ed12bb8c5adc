#include "support/small_lake.hpp"

#include <stdexcept>

#include "lake/partition_writer.hpp"
#include "lake/raw_zone.hpp"
#include "transform/market_ohlcv_etl.hpp"

namespace cryptolake::testing {

SmallLake::SmallLake(std::vector<std::string> symbols, int days, bool posts) {
  sources::simulator::SimulationOptions options;
  options.config.symbols = std::move(symbols);
  options.config.days = days;
  options.config.malformed_rate = 0;
  options.posts = posts;
  lake::RawZoneWriter raw(store);
  auto report = sources::simulator::run_simulation(options, raw);
  if (!report) throw std::runtime_error(report.error().message);
  manifest = std::move(*report);
  auto opened = lake::DuckDb::open({dir.path(), 2, "1GB"});
  if (!opened) throw std::runtime_error(opened.error().message);
  duckdb = std::move(*opened);
  if (auto etl = transform::run_market_ohlcv_etl(store, *duckdb, {2, {}}); !etl) throw std::runtime_error(etl.error().message);
}

std::vector<std::vector<std::string>> SmallLake::rows(const std::string& sql) {
  auto connection = duckdb->connect();
  if (!connection) throw std::runtime_error(connection.error().message);
  auto result = connection->query(sql);
  if (!result) throw std::runtime_error(result.error().message + "\n" + sql);
  std::vector<std::vector<std::string>> out(result->row_count());
  for (size_t r = 0; r < out.size(); ++r) {
    for (size_t c = 0; c < result->column_count(); ++c) out[r].push_back(result->is_null(c, r) ? "" : result->text(c, r));
  }
  return out;
}

std::string SmallLake::table(std::string_view name) const { return lake::table_glob(store, name); }

}  // namespace cryptolake::testing
