// Logging: spdlog to stderr, so stdout stays clean for query results.
#pragma once

#include <string_view>

#include <spdlog/spdlog.h>

#include "core/result.hpp"

namespace cryptolake::core {

// Sets the global level from "trace|debug|info|warn|error|off".
[[nodiscard]] Status init_logging(std::string_view level);

}  // namespace cryptolake::core
