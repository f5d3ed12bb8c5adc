// The operating system's real-time clock.
#pragma once

#include "io/clock.hpp"

namespace cryptolake::io {

// Thread-safe, stateless.
class SystemClock final : public Clock {
 public:
  core::Timestamp now() const override;
  bool sleep_until(core::Timestamp deadline, std::stop_token stop) override;
};

}  // namespace cryptolake::io
