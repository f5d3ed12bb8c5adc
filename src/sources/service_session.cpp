#include "sources/service_session.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

namespace cryptolake::sources {

using core::ErrorCode;
using core::fail;

ServiceEndpoint service_endpoint(std::string source, std::string base_url, int64_t per_minute) {
  ServiceEndpoint endpoint;
  endpoint.source = source;
  endpoint.base_url = std::move(base_url);
  while (endpoint.base_url.ends_with('/')) endpoint.base_url.pop_back();
  endpoint.budget.service = std::move(source);
  endpoint.budget.per_minute = per_minute;
  return endpoint;
}

ServiceSession::ServiceSession(io::HttpClient& http, io::RateGovernor& governor, io::Clock& clock,
                               io::RawSink& raw, ServiceEndpoint endpoint, io::RetryPolicy retry)
    : http_(http),
      governor_(governor),
      clock_(clock),
      raw_(raw),
      endpoint_(std::move(endpoint)),
      retry_(retry),
      jitter_(static_cast<uint64_t>(clock.now().micros())) {}

namespace {

// Whether a body can travel as the envelope's JSON payload: one line of valid JSON.
bool is_one_line_json(const std::string& body) {
  if (body.empty() || body.find('\n') != std::string::npos) return false;
  simdjson::dom::parser parser;
  return parser.parse(body).error() == simdjson::SUCCESS;
}

std::string first_line(std::string_view body) {
  const std::string_view line = body.substr(0, std::min(body.find('\n'), size_t{200}));
  return std::string(line);
}

}  // namespace

core::Result<FetchedResponse> ServiceSession::get(std::string_view path_and_query, int64_t weight,
                                                  io::Priority priority, std::string_view dataset, std::string request,
                                                  std::stop_token stop) {
  io::HttpRequest http_request;
  http_request.url = endpoint_.base_url + std::string(path_and_query);
  http_request.headers = endpoint_.headers;
  int failures = 0, refusals = 0;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  while (true) {
    if (!governor_.acquire(endpoint_.budget, weight, priority, stop)) {
      return fail(ErrorCode::unavailable, "{}: stopped", endpoint_.source);
    }
    ++requests_;
    weight_spent_ += weight;
    auto outcome = http_.send(http_request);
    if (outcome) governor_.observe(endpoint_.budget, *outcome, endpoint_.used_weight_header);
    if (outcome && outcome->status >= 200 && outcome->status < 300) {
      core::Envelope envelope{clock_.now(), endpoint_.source, std::string(dataset), std::move(request),
                              std::move(outcome->body)};
      envelope.payload_is_json = is_one_line_json(envelope.payload);
      TRY_ASSIGN(std::string key, raw_.land(std::span<const core::Envelope>(&envelope, 1)));
      outcome->body = std::move(envelope.payload);
      return FetchedResponse{std::move(*outcome), std::move(key), envelope.received_at};
    }
    if (outcome && (outcome->status == 429 || outcome->status == 418)) {
      // The governor now holds the service until Retry-After; acquire() waits for it.
      if (++refusals > 20) return fail(ErrorCode::rate_limited, "{}: refused {} times in a row", endpoint_.source, refusals);
      continue;
    }
    if (io::RetryPolicy::retryable(outcome)) {
      const auto delay = retry_.delay_before_retry(++failures, unit(jitter_));
      const std::string what = outcome ? fmt::format("HTTP {}", outcome->status) : outcome.error().message;
      if (!delay) {
        return fail(outcome ? ErrorCode::unavailable : outcome.error().code, "{} {}: gave up after {} attempts: {}",
                    endpoint_.source, path_and_query, failures, what);
      }
      spdlog::warn("{} {}: {}; retrying in {:.1f} s", endpoint_.source, path_and_query, what, *delay / 1e6);
      if (!clock_.sleep_until(clock_.now() + *delay, stop)) return fail(ErrorCode::unavailable, "{}: stopped", endpoint_.source);
      continue;
    }
    if (!outcome) return std::unexpected(outcome.error());
    return fail(outcome->status == 404 ? ErrorCode::not_found : ErrorCode::invalid_argument, "{} {}: HTTP {}: {}",
                endpoint_.source, path_and_query, outcome->status, first_line(outcome->body));
  }
}

}  // namespace cryptolake::sources
