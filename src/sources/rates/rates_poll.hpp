// Polling Bitcoin exchange rates: Coinbase's /v2/exchange-rates and, when configured, a CoinDesk
// BPI currentprice.json mirror. Each source is polled on its own: one that fails is reported
// and does not stop the others.
#pragma once

#include <functional>
#include <optional>
#include <stop_token>
#include <string>

#include "io/clock.hpp"
#include "sources/service_session.hpp"

namespace cryptolake::sources::rates {

// A BPI mirror is one URL: its origin serves the session, its path each poll.
struct BpiMirror {
  std::string origin;  // https://mirror.example
  std::string path;    // /v1/bpi/currentprice.json
  std::string url;     // as configured, recorded in each request
};
[[nodiscard]] core::Result<BpiMirror> bpi_mirror(std::string_view url);

struct RatesPoll {
  int count = 1;                    // polls; 0 = until stopped
  int64_t every_seconds = 60;       // between the starts of two polls
};

struct RatesPollReport {
  size_t landed = 0;  // answers landed
  size_t failed = 0;  // polls that failed after their retries
};

// Called for each failed poll with the source and why.
using PollFailure = std::function<void(std::string_view source, std::string_view why)>;

// `bpi` and `bpi_mirror` are both given or both absent.
RatesPollReport poll_rates(ServiceSession& coinbase, ServiceSession* bpi, const BpiMirror* mirror, const RatesPoll& poll,
                           io::Clock& clock, const PollFailure& on_failure, std::stop_token stop = {});

}  // namespace cryptolake::sources::rates
