// Alerts POSTed as JSON to the [webhook] url, in the background: post() queues and returns at
// once, so a slow or dead receiver never holds up the stream. Each post is tried up to `attempts`
// times (timeouts, dropped connections, 429 and 5xx; exponential backoff with jitter on the
// Clock); a post refused with another 4xx is not tried again. When `queue` posts already wait, the
// oldest is dropped and counted: the newest alerts matter most.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <thread>

#include "analytics/alerts.hpp"
#include "core/config.hpp"
#include "io/clock.hpp"
#include "io/http_client.hpp"

namespace cryptolake::stream {

// {"alerts":[{rule, kind, source, symbol, alert_time (ISO), value, threshold, message}…],
//  "total": all in this round, "more": those not listed}.
std::string alerts_json(std::span<const analytics::AlertRow> alerts, size_t total);

class AlertWebhook {
 public:
  struct Stats {
    size_t sent = 0;     // answered 2xx
    size_t failed = 0;   // given up: refused, or out of attempts
    size_t dropped = 0;  // pushed out of a full queue
    size_t retries = 0;
  };

  AlertWebhook(io::HttpClient& http, io::Clock& clock, core::WebhookConfig config);
  // Stops the worker: a post in flight ends with its timeout; what still waits is given up.
  ~AlertWebhook();

  void post(std::string json);
  // Waits until every queued post was sent or given up, at most `wait` (the end of a run).
  bool drain(std::chrono::milliseconds wait);
  Stats stats() const;

 private:
  void run(std::stop_token stop);

  io::HttpClient& http_;
  io::Clock& clock_;
  core::WebhookConfig config_;
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<std::string> queue_;
  bool busy_ = false;
  Stats stats_;
  std::mt19937_64 jitter_{0x5eed};
  std::jthread worker_;  // last: starts after everything it uses
};

}  // namespace cryptolake::stream
