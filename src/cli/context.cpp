#include "cli/context.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "core/log.hpp"

namespace cryptolake::cli {

namespace fs = std::filesystem;

core::Result<core::Config> load_config(const GlobalOptions& options) {
  core::Config config;
  if (!options.config.empty()) {
    TRY_ASSIGN(config, core::Config::load(options.config));
  } else if (fs::exists("cryptolake.toml")) {
    TRY_ASSIGN(config, core::Config::load("cryptolake.toml"));
  }
  if (!options.lake.empty()) config.lake = options.lake;
  if (!options.log_level.empty()) config.log_level = options.log_level;
  if (options.threads > 0) config.duckdb.threads = options.threads;
  return config;
}

core::Result<std::unique_ptr<Context>> Context::create(const GlobalOptions& options, core::Config) {
  auto context = std::make_unique<Context>();
  TRY_ASSIGN(context->config_, load_config(options));
  TRY(core::init_logging(context->config_.log_level));
  std::error_code ec;
  fs::create_directories(context->config_.lake, ec);
  if (ec) return core::fail(core::ErrorCode::io_error, "cannot create lake {}: {}", context->config_.lake, ec.message());
  context->store_ = std::make_unique<lake::LocalObjectStore>(fs::absolute(context->config_.lake).lexically_normal());
  return context;
}

core::Result<lake::DuckDb*> Context::duckdb() {
  if (!duckdb_) {
    TRY_ASSIGN(duckdb_, lake::DuckDb::open({store_->root(), config_.duckdb.threads, config_.duckdb.memory_limit}));
  }
  return duckdb_.get();
}

int report_error(const core::Error& error) {
  fmt::print(stderr, "error: {}\n", error.message);
  return 1;
}

}  // namespace cryptolake::cli
