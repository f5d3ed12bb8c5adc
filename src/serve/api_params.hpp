// Query parameters of the API, checked: each reader returns the value or an invalid_argument
// error naming the parameter and what it takes (the router answers 400 with it).
#pragma once

#include <optional>
#include <string>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "io/http_server.hpp"

namespace cryptolake::serve {

std::string param(const io::ServerRequest& r, const std::string& name, std::string fallback = {});
// An instant: ISO-8601 or epoch milliseconds; nothing when absent.
[[nodiscard]] core::Result<std::optional<core::Timestamp>> instant_param(const io::ServerRequest& r, const std::string& name);
// from/to: ISO-8601 or epoch milliseconds, as a SQL TIMESTAMPTZ literal; nothing when absent.
[[nodiscard]] core::Result<std::optional<std::string>> time_param(const io::ServerRequest& r, const std::string& name);
// The canonical symbol (BTC-USDT); empty when absent and not required.
[[nodiscard]] core::Result<std::string> symbol_param(const io::ServerRequest& r, bool required = true);
[[nodiscard]] core::Result<int64_t> limit_param(const io::ServerRequest& r, int64_t fallback, int64_t max);
[[nodiscard]] core::Result<std::string> interval_param(const io::ServerRequest& r);
// The from/to parameters: [from, to), either side open when absent.
struct TimeRange {
  std::optional<core::Timestamp> from;
  std::optional<core::Timestamp> to;
};
[[nodiscard]] core::Result<TimeRange> time_range(const io::ServerRequest& r);
// " AND column >= from AND column < to" for the sides given.
std::string time_filter(const TimeRange& range, std::string_view column);
[[nodiscard]] core::Result<std::string> time_filter(const io::ServerRequest& r, std::string_view column);

}  // namespace cryptolake::serve
