// The source of time for all code outside io/real. Implementations are thread-safe.
#pragma once

#include <stop_token>

#include "core/timestamp.hpp"

namespace cryptolake::io {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual core::Timestamp now() const = 0;
  // Blocks until now() >= deadline; returns false if `stop` was requested first.
  virtual bool sleep_until(core::Timestamp deadline, std::stop_token stop) = 0;
};

}  // namespace cryptolake::io
