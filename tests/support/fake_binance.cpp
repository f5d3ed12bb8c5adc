#include "support/fake_binance.hpp"

#include <fmt/format.h>

namespace cryptolake::testing {

using core::Timestamp;

FakeBinance::FakeBinance(LoopbackServer& server, io::Clock& clock, Timestamp history_start, int64_t weight_limit)
    : clock_(clock), history_start_(history_start), weight_limit_(weight_limit) {
  server.route("/api/v3/klines", [this](const LoopbackRequest& request) { return klines(request); });
}

double FakeBinance::close_of(int64_t open_ms) { return 30000.0 + static_cast<double>((open_ms / 60000) % 997) * 0.5; }

std::string FakeBinance::kline_json(int64_t open_ms) {
  const double close = close_of(open_ms), open = close - 0.25;
  return fmt::format(R"([{},"{:.8f}","{:.8f}","{:.8f}","{:.8f}","{:.8f}",{},"{:.8f}",{},"{:.8f}","{:.8f}","0"])", open_ms,
                     open, close + 1, open - 1, close, 1.5, open_ms + 59'999, 1.5 * close, 42, 0.75, 0.75 * close);
}

LoopbackReply FakeBinance::klines(const LoopbackRequest& request) {
  const int64_t now_us = clock_.now().micros();
  const int64_t minute = now_us - now_us % Timestamp::kMicrosPerMinute;
  std::lock_guard lock(mutex_);
  int64_t& used = weight_[minute];
  used += 2;
  if (used > weight_limit_) {
    ++too_many_;
    return {429, R"({"code":-1003,"msg":"Too much request weight used."})", "application/json",
            {{"Retry-After", "30"}, {"X-MBX-USED-WEIGHT-1M", std::to_string(used)}}, 0};
  }
  const auto param = [&](const char* name) -> std::optional<int64_t> {
    auto it = request.params.find(name);
    if (it == request.params.end()) return std::nullopt;
    return std::stoll(it->second);
  };
  if (!request.params.contains("symbol") || request.params.at("interval") != "1m") {
    return {400, R"({"code":-1121,"msg":"Invalid symbol."})", "application/json", {}, 0};
  }
  const int64_t start = std::max(param("startTime").value_or(0), history_start_.millis());
  const int64_t limit = std::min<int64_t>(param("limit").value_or(500), 1000);
  const int64_t end = std::min(param("endTime").value_or(INT64_MAX), now_us / 1000);
  start_times_.push_back(param("startTime").value_or(0));
  std::string body = "[";
  int64_t served = 0;
  for (int64_t open = (start + 59'999) / 60'000 * 60'000; open <= end && served < limit; open += 60'000) {
    if (missing_ms.contains(open)) continue;
    if (served++) body += ',';
    if (open + 60'000 > now_us / 1000) open_served_.push_back(open);
    body += kline_json(open);
  }
  body += ']';
  return {200, body, "application/json", {{"X-MBX-USED-WEIGHT-1M", std::to_string(used)}}, 0};
}

int64_t FakeBinance::too_many_requests() const {
  std::lock_guard lock(mutex_);
  return too_many_;
}

std::vector<int64_t> FakeBinance::start_times() const {
  std::lock_guard lock(mutex_);
  return start_times_;
}

std::vector<int64_t> FakeBinance::open_candles_served() const {
  std::lock_guard lock(mutex_);
  return open_served_;
}

std::map<int64_t, int64_t> FakeBinance::weight_per_minute() const {
  std::lock_guard lock(mutex_);
  return weight_;
}

}  // namespace cryptolake::testing
