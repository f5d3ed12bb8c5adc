#include "core/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace cryptolake::core {

Status init_logging(std::string_view level) {
  const spdlog::level::level_enum parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return fail(ErrorCode::invalid_argument, "log level '{}' is not one of trace, debug, info, warn, error, off", level);
  }
  auto logger = spdlog::stderr_color_mt("cryptolake");
  logger->set_pattern("%^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(parsed);
  return {};
}

}  // namespace cryptolake::core
