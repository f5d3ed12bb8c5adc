// Everything a connector needs for a test: a loopback server to answer, the real libcurl client,
// a rate governor on a clock that jumps over every wait (so Retry-After pauses take no time),
// and an in-memory raw sink and checkpoint store.
#pragma once

#include "io/manual_clock.hpp"
#include "io/rate_governor.hpp"
#include "io/real/curl_http_client.hpp"
#include "sources/service_session.hpp"
#include "support/fixtures.hpp"
#include "support/loopback_server.hpp"
#include "support/memory_sinks.hpp"

namespace cryptolake::testing {

struct ConnectorHarness {
  explicit ConnectorHarness(core::Timestamp start = *core::Timestamp::parse_iso("2024-05-17T12:00:00Z"))
      : clock(start, /*auto_advance=*/true), governor(ledger, clock) {}

  sources::ServiceSession session(sources::ServiceEndpoint endpoint) {
    return sources::ServiceSession(http, governor, clock, raw, std::move(endpoint),
                                   io::RetryPolicy{.max_attempts = 3, .base_delay_us = 100'000, .max_delay_us = 1'000'000});
  }

  LoopbackServer server;
  io::ManualClock clock;
  io::InMemoryBudgetLedger ledger;
  io::RateGovernor governor;
  io::CurlHttpClient http;
  MemoryRawSink raw;
  MemoryCheckpoints checkpoints;
};

// A route answering every request with a fixture, as recorded.
inline LoopbackServer::Handler replay_fixture(const std::string& fixture) {
  return [body = read_fixture(fixture)](const LoopbackRequest&) { return LoopbackReply{200, body, "application/json", {}, 0}; };
}

inline LoopbackServer::Handler answer(int status, std::string body) {
  return [status, body = std::move(body)](const LoopbackRequest&) { return LoopbackReply{status, body, "application/json", {}, 0}; };
}

}  // namespace cryptolake::testing
