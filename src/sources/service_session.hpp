// A thin session with one HTTP service: paces every request through the rate governor, retries
// what is worth retrying, and lands each successful response in the raw zone exactly as
// received before anyone parses it. Connectors build on it; parsing stays in pure parse_*.
#pragma once

#include <random>
#include <stop_token>
#include <string>
#include <vector>

#include "io/clock.hpp"
#include "io/http_client.hpp"
#include "io/rate_governor.hpp"
#include "io/retry_policy.hpp"
#include "io/raw_sink.hpp"

namespace cryptolake::sources {

struct ServiceEndpoint {
  std::string source;       // raw zone source name: "binance", "coingecko", …
  std::string base_url;     // "https://api.binance.com" or a loopback test server
  io::ServiceBudget budget; // per-minute weight or calls
  std::string used_weight_header;  // e.g. "x-mbx-used-weight-1m"; empty when the service has none
  std::vector<std::pair<std::string, std::string>> headers;  // API keys and the like
};

// An endpoint budgeted in calls per minute under the source's own name (no used-weight header).
ServiceEndpoint service_endpoint(std::string source, std::string base_url, int64_t per_minute);

struct FetchedResponse {
  io::HttpResponse response;
  std::string raw_key;  // where it landed (the raw batch)
  core::Timestamp received_at;
};

// Not thread-safe (one per worker); the governor it borrows is shared.
class ServiceSession {
 public:
  ServiceSession(io::HttpClient& http, io::RateGovernor& governor, io::Clock& clock, io::RawSink& raw,
                 ServiceEndpoint endpoint, io::RetryPolicy retry = {});

  // GET base_url + path_and_query costing `weight`. A 2xx response is landed through the raw sink as
  // `dataset` with `request` (a JSON object) and returned. 429/418 pause the service and try
  // again; timeouts, dropped connections and 5xx are retried with backoff; other statuses fail
  // with the body's first line. Fails with unavailable when `stop` is requested.
  [[nodiscard]] core::Result<FetchedResponse> get(std::string_view path_and_query, int64_t weight,
                                                  io::Priority priority, std::string_view dataset,
                                                  std::string request, std::stop_token stop = {});

  const ServiceEndpoint& endpoint() const { return endpoint_; }
  int64_t requests() const { return requests_; }
  int64_t weight_spent() const { return weight_spent_; }

 private:
  io::HttpClient& http_;
  io::RateGovernor& governor_;
  io::Clock& clock_;
  io::RawSink& raw_;
  ServiceEndpoint endpoint_;
  io::RetryPolicy retry_;
  std::mt19937_64 jitter_;
  int64_t requests_ = 0;
  int64_t weight_spent_ = 0;
};

}  // namespace cryptolake::sources
