// What every command shares: global flags, the loaded configuration, the lake's store and
// DuckDB, built here and only here (cli/ is the one place that builds real adapters).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "bus/bus.hpp"
#include "core/config.hpp"
#include "io/clock.hpp"
#include "io/http_client.hpp"
#include "io/rate_governor.hpp"
#include "lake/duckdb.hpp"
#include "lake/lake_lock.hpp"
#include "lake/local_object_store.hpp"

namespace cryptolake::cli {

struct GlobalOptions {
  std::string lake;    // empty: from config, else ./lake
  std::string config;  // empty: ./cryptolake.toml if present
  std::string log_level;
  int threads = 0;  // 0: from config
  bool json = false;
  bool no_wait = false;  // a writer finding the lake locked exits 1 instead of waiting
};

class Context {
 public:
  // Loads the config (file, then flags) and opens the lake directory, creating it if needed,
  // for reading: never waits for a writer.
  [[nodiscard]] static core::Result<std::unique_ptr<Context>> create(const GlobalOptions& options);
  // The same for a command that writes the lake: takes the lake's writer lock first, waiting
  // (with a message naming the holder) while another writer runs, or failing with --no-wait.
  [[nodiscard]] static core::Result<std::unique_ptr<Context>> create_writer(const GlobalOptions& options,
                                                                           std::string_view command);

  // The writer lock for a moment's write by a long-running reader of the lake (the lander's
  // curation), waiting while another writer holds it.
  [[nodiscard]] core::Result<lake::LakeLock> lock_lake(std::string_view command);

  core::Config& config() { return config_; }
  // The lake, as every command sees it: keys only, whatever the store is.
  lake::ObjectStore& store() { return *store_; }
  // Where the local lake is (for the processes a command starts on it).
  const std::filesystem::path& lake_root() const { return store_->root(); }
  [[nodiscard]] core::Result<lake::DuckDb*> duckdb();
  size_t threads() const { return static_cast<size_t>(config_.duckdb.threads); }

  // The real clock, HTTP client and the machine-wide rate governor (budgets under _catalog/rate).
  io::Clock& clock();
  io::HttpClient& http();
  io::RateGovernor& governor(double backfill_share);
  bool has_governor() const { return governor_ != nullptr; }
  // The bus named by `url` (empty: bus.url of the config); the local log lives in the lake's _log/.
  [[nodiscard]] core::Result<std::unique_ptr<bus::Bus>> open_bus(std::string_view url);

 private:
  core::Config config_;
  std::unique_ptr<lake::LocalObjectStore> store_;
  std::unique_ptr<lake::DuckDb> duckdb_;
  std::unique_ptr<io::Clock> clock_;
  std::unique_ptr<io::HttpClient> http_;
  std::unique_ptr<io::BudgetLedger> ledger_;
  std::unique_ptr<io::RateGovernor> governor_;
  std::optional<lake::LakeLock> writer_lock_;
};

// The configuration file the options name: --config, else ./cryptolake.toml when present, else "".
std::string config_file(const GlobalOptions& options);

// Loads the configuration named by the options (or the defaults) without opening the lake.
[[nodiscard]] core::Result<core::Config> load_config(const GlobalOptions& options);

// Records this process's rate-limit waits for `service` in the run history (for /metrics).
void record_rate_limit_waits(Context& context, std::string_view service);

// A command run as a scheduled task (the scheduler names where in CRYPTOLAKE_TASK_REPORT) leaves
// the rows it read and wrote there, for the run history; otherwise does nothing.
void report_task_rows(Context& context, size_t rows_in, size_t rows_out);

// Prints "error: <message>" on stderr and returns the exit code for failures.
int report_error(const core::Error& error);

}  // namespace cryptolake::cli
