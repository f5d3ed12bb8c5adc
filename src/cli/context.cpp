#include "cli/context.hpp"

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "bus/open_bus.hpp"
#include "core/excerpt.hpp"
#include "core/log.hpp"
#include "io/real/curl_http_client.hpp"
#include "io/real/file_budget_ledger.hpp"
#include "io/real/system_clock.hpp"
#include "lake/layout.hpp"
#include "schedule/run_history.hpp"

namespace cryptolake::cli {

namespace fs = std::filesystem;

std::string config_file(const GlobalOptions& options) {
  if (!options.config.empty()) return options.config;
  return fs::exists("cryptolake.toml") ? "cryptolake.toml" : "";
}

core::Result<core::Config> load_config(const GlobalOptions& options) {
  core::Config config;
  if (const std::string file = config_file(options); !file.empty()) {
    TRY_ASSIGN(config, core::Config::load(file));
  }
  if (!options.lake.empty()) config.lake = options.lake;
  if (!options.log_level.empty()) config.log_level = options.log_level;
  if (options.threads > 0) config.duckdb.threads = options.threads;
  return config;
}

core::Result<std::unique_ptr<Context>> Context::create(const GlobalOptions& options) {
  auto context = std::make_unique<Context>();
  TRY_ASSIGN(context->config_, load_config(options));
  TRY(core::init_logging(context->config_.log_level));
  std::error_code ec;
  fs::create_directories(context->config_.lake, ec);
  if (ec) return core::fail(core::ErrorCode::io_error, "cannot create lake {}: {}", context->config_.lake, ec.message());
  context->store_ = std::make_unique<lake::LocalObjectStore>(fs::absolute(context->config_.lake).lexically_normal());
  return context;
}

core::Result<std::unique_ptr<Context>> Context::create_writer(const GlobalOptions& options, std::string_view command) {
  TRY_ASSIGN(auto context, create(options));
  const auto wait = options.no_wait ? lake::LakeLock::Wait::no_wait : lake::LakeLock::Wait::block;
  TRY_ASSIGN(lake::LakeLock lock, lake::LakeLock::acquire(context->store_->root(), command, context->clock().now(), wait,
                                                          [&](const lake::LockHolder& holder) {
                                                            fmt::print(stderr, "waiting for the lake: another writer holds it, {}\n",
                                                                       lake::describe(holder));
                                                          }));
  context->writer_lock_.emplace(std::move(lock));
  return context;
}

core::Result<lake::LakeLock> Context::lock_lake(std::string_view command) {
  return lake::LakeLock::acquire(store_->root(), command, clock().now(), lake::LakeLock::Wait::block);
}

core::Result<lake::DuckDb*> Context::duckdb() {
  if (!duckdb_) {
    TRY_ASSIGN(duckdb_, lake::DuckDb::open({store_->root(), config_.duckdb.threads, config_.duckdb.memory_limit}));
  }
  return duckdb_.get();
}

io::Clock& Context::clock() {
  if (!clock_) clock_ = std::make_unique<io::SystemClock>();
  return *clock_;
}

io::HttpClient& Context::http() {
  if (!http_) http_ = std::make_unique<io::CurlHttpClient>();
  return *http_;
}

io::RateGovernor& Context::governor(double backfill_share) {
  if (!governor_) {
    ledger_ = std::make_unique<io::FileBudgetLedger>(store_->root() / lake::layout::kRateLedgerDir);
    governor_ = std::make_unique<io::RateGovernor>(*ledger_, clock(), backfill_share);
  }
  return *governor_;
}

void record_rate_limit_waits(Context& context, std::string_view service) {
  if (!context.has_governor()) return;
  io::RateGovernor& governor = context.governor(1.0);
  schedule::RunHistory history(context.store());
  // Metrics are best effort: a failed write does not fail the ingest.
  (void)history.record(schedule::RateLimitWaits{std::string(service), static_cast<size_t>(governor.waits()),
                                                 static_cast<double>(governor.waited_micros()) / 1e6, context.clock().now()});
}

int report_error(const core::Error& error) {
  // Messages can carry input (a header line, a server's answer): bounded and safe for a terminal.
  fmt::print(stderr, "error: {}\n", core::excerpt(error.message, 1000));
  return 1;
}

core::Result<std::unique_ptr<bus::Bus>> Context::open_bus(std::string_view url) {
  const core::BusConfig& c = config_.bus;
  bus::BusSettings settings;
  settings.local = {c.partitions, c.fsync, c.segment_mb << 20, c.retention_mb << 20, std::chrono::hours(c.retention_hours)};
  settings.kafka.partitions = c.partitions;
  settings.kafka.properties = c.kafka;
  return bus::open_bus(url.empty() ? std::string_view(c.url) : url, store_->location(std::string(lake::layout::kLog)), settings, clock());
}

void report_task_rows(Context& context, size_t rows_in, size_t rows_out) {
  const char* key = std::getenv("CRYPTOLAKE_TASK_REPORT");
  if (key == nullptr) return;
  // Only a report key of the scheduler's own form: the variable must not name any other object.
  const std::string_view text(key);
  const std::string_view prefix = "_catalog/runs/reports/";
  if (!text.starts_with(prefix) || text.size() > 200 || text.find("..") != std::string_view::npos ||
      text.substr(prefix.size()).find('/') != std::string_view::npos) {
    spdlog::warn("CRYPTOLAKE_TASK_REPORT '{}' is not a task report key; nothing reported", core::excerpt(text, 80));
    return;
  }
  if (auto put = context.store().put(text, fmt::format("{}\t{}\n", rows_in, rows_out)); !put) {
    spdlog::warn("cannot leave the task report: {}", put.error().message);
  }
}

}  // namespace cryptolake::cli
