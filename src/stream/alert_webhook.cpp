#include "stream/alert_webhook.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/excerpt.hpp"
#include "core/json_text.hpp"
#include "io/retry_policy.hpp"

namespace cryptolake::stream {

std::string alerts_json(std::span<const analytics::AlertRow> alerts, size_t total) {
  std::string out = "{\"alerts\":[";
  for (size_t i = 0; i < alerts.size(); ++i) {
    const analytics::AlertRow& a = alerts[i];
    out += fmt::format("{}{{\"rule\":{},\"kind\":{},\"source\":{},\"symbol\":{},\"alert_time\":{},\"value\":{},\"threshold\":{},\"message\":{}}}",
                       i ? "," : "", core::json_string(a.rule), core::json_string(a.kind), core::json_string(a.source),
                       core::json_string(a.symbol), core::json_string(core::Timestamp::from_micros(a.at).iso()),
                       core::json_number(a.value), core::json_number(a.threshold),
                       core::json_string(a.message));
  }
  out += fmt::format("],\"total\":{},\"more\":{}}}", total, total > alerts.size() ? total - alerts.size() : 0);
  return out;
}

AlertWebhook::AlertWebhook(io::HttpClient& http, io::Clock& clock, core::WebhookConfig config)
    : http_(http), clock_(clock), config_(std::move(config)), worker_([this](std::stop_token stop) { run(stop); }) {}

AlertWebhook::~AlertWebhook() {
  worker_.request_stop();
  wake_.notify_all();
}

void AlertWebhook::post(std::string json) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= static_cast<size_t>(config_.queue)) {
      queue_.pop_front();
      ++stats_.dropped;
    }
    queue_.push_back(std::move(json));
  }
  wake_.notify_all();
}

bool AlertWebhook::drain(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  return wake_.wait_for(lock, wait, [&] { return queue_.empty() && !busy_; });
}

AlertWebhook::Stats AlertWebhook::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void AlertWebhook::run(std::stop_token stop) {
  const io::RetryPolicy retry{.max_attempts = config_.attempts, .base_delay_us = 500'000, .max_delay_us = 30'000'000};
  while (!stop.stop_requested()) {
    std::string body;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [&] { return !queue_.empty(); })) return;
      body = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    io::HttpRequest request{.method = "POST", .url = config_.url, .headers = {{"Content-Type", "application/json"}}, .body = body,
                            .connect_timeout = std::chrono::milliseconds(config_.timeout_ms),
                            .read_timeout = std::chrono::milliseconds(config_.timeout_ms)};
    bool sent = false;
    for (int attempt = 1;; ++attempt) {
      const auto outcome = http_.send(request);
      if (outcome && outcome->status >= 200 && outcome->status < 300) {
        sent = true;
        break;
      }
      const bool again = io::RetryPolicy::retryable(outcome) || (outcome && outcome->status == 429);
      std::optional<int64_t> delay;
      if (again) {
        std::lock_guard lock(mutex_);
        delay = retry.delay_before_retry(attempt, std::uniform_real_distribution<double>(0, 1)(jitter_));
      }
      if (!delay) {
        spdlog::warn("alert webhook: gave up after {} attempt(s): {}", attempt,
                     outcome ? fmt::format("HTTP {} {}", outcome->status, core::excerpt(outcome->body, 200)) : outcome.error().message);
        break;
      }
      {
        std::lock_guard lock(mutex_);
        ++stats_.retries;
      }
      if (!clock_.sleep_until(core::Timestamp::from_micros(clock_.now().micros() + *delay), stop)) break;
    }
    {
      std::lock_guard lock(mutex_);
      ++(sent ? stats_.sent : stats_.failed);
      busy_ = false;
    }
    wake_.notify_all();
  }
}

}  // namespace cryptolake::stream
