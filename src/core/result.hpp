// Errors are values: every fallible operation returns Result<T>.
// The code is for callers that branch; the message is for people.
#pragma once

#include <expected>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace cryptolake::core {

// unavailable: the peer or a dependency cannot serve now (worth retrying); timed_out likewise;
// rate_limited: the peer refused for quota (wait as told, do not hammer).
enum class ErrorCode { invalid_argument, not_found, io_error, corrupt_data, unavailable, timed_out, rate_limited };

struct Error {
  ErrorCode code;
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

using Status = Result<void>;

inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

template <typename... Args>
std::unexpected<Error> fail(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
  return std::unexpected(Error{code, fmt::format(format, std::forward<Args>(args)...)});
}

std::string_view to_string(ErrorCode code);

}  // namespace cryptolake::core

// Propagates an error from a Result-returning expression; yields its value otherwise.
#define CL_CONCAT_INNER(a, b) a##b
#define CL_CONCAT(a, b) CL_CONCAT_INNER(a, b)
#define TRY_ASSIGN_IMPL(tmp, lhs, expr)          \
  auto tmp = (expr);                             \
  if (!tmp) return std::unexpected(tmp.error()); \
  lhs = std::move(*tmp)
#define TRY_ASSIGN(lhs, expr) TRY_ASSIGN_IMPL(CL_CONCAT(try_result_, __LINE__), lhs, expr)
#define TRY(expr)                                                               \
  do {                                                                          \
    if (auto try_status_ = (expr); !try_status_) return std::unexpected(try_status_.error()); \
  } while (false)
