#include "stream/silence_watch.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace cryptolake::stream {

SilenceWatch::SilenceWatch(const std::vector<core::AlertRuleConfig>& rules, StreamMetrics& metrics, io::Clock& clock, AlertWebhook* webhook)
    : metrics_(metrics), clock_(clock), webhook_(webhook), quiet_since_(clock.now().micros()) {
  for (const auto& rule : rules) {
    if (rule.kind == "stream_silent") rules_.push_back(rule);
  }
}

std::vector<analytics::AlertRow> SilenceWatch::check() {
  const StreamMetrics::Totals totals = metrics_.totals();
  const int64_t now = clock_.now().micros();
  if (totals.in + totals.out != seen_) {
    seen_ = totals.in + totals.out;
    quiet_since_ = now;
    fired_.clear();
    return {};
  }
  std::vector<analytics::AlertRow> raised;
  const double quiet = static_cast<double>(now - quiet_since_) / 1e6;
  for (const auto& rule : rules_) {
    if (quiet < rule.seconds || fired_[rule.name]) continue;
    fired_[rule.name] = true;
    const std::string last = totals.last_event ? totals.last_event->iso() : "none yet";
    raised.push_back({rule.name, rule.kind, "", "", now, quiet, static_cast<double>(rule.seconds),
                      fmt::format("the stream has been silent for {:.0f} s (no record received or landed; last event {})", quiet, last)});
  }
  for (const auto& a : raised) {
    spdlog::warn("alert {}: {}", a.rule, a.message);
    metrics_.alerted(a.rule, 1);
  }
  if (webhook_ != nullptr && !raised.empty()) webhook_->post(alerts_json(raised, raised.size()));
  return raised;
}

void SilenceWatch::run(std::stop_token stop) {
  if (rules_.empty()) return;
  while (clock_.sleep_until(core::Timestamp::from_micros(clock_.now().micros() + 1'000'000), stop)) check();
}

}  // namespace cryptolake::stream
