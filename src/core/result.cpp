#include "core/result.hpp"

namespace cryptolake::core {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid argument";
    case ErrorCode::not_found: return "not found";
    case ErrorCode::io_error: return "I/O error";
    case ErrorCode::corrupt_data: return "corrupt data";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::timed_out: return "timed out";
    case ErrorCode::rate_limited: return "rate limited";
  }
  return "error";
}

}  // namespace cryptolake::core
