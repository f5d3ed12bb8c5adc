#include "stream/alert_announcer.hpp"

#include <map>
#include <string>

#include <spdlog/spdlog.h>

#include "analytics/alerts.hpp"
#include "core/excerpt.hpp"

namespace cryptolake::stream {

core::Status AlertAnnouncer::start() {
  TRY_ASSIGN(const analytics::NewAlerts existing, analytics::alerts_after(store_, duckdb_, std::nullopt, 0));
  after_ = existing.latest;
  return {};
}

core::Result<size_t> AlertAnnouncer::announce() {
  TRY_ASSIGN(const analytics::NewAlerts found, analytics::alerts_after(store_, duckdb_, after_, kMaxLines));
  if (found.total == 0) return size_t{0};
  std::map<std::string, size_t> by_rule;
  for (const analytics::AlertRow& a : found.rows) {
    spdlog::warn("alert {}: {}", a.rule, core::excerpt(a.message, 300));
    ++by_rule[a.rule];
  }
  const size_t unshown = found.total - found.rows.size();
  if (unshown > 0) spdlog::warn("alert: … and {} more (the alerts table has them all)", unshown);
  if (metrics_ != nullptr) {
    // Per rule for the lines shown; the rest under "other", so the total stays right.
    for (const auto& [rule, n] : by_rule) metrics_->alerted(rule, n);
    if (unshown > 0) metrics_->alerted("other", unshown);
  }
  if (webhook_ != nullptr) webhook_->post(alerts_json(found.rows, found.total));
  after_ = found.latest;
  return found.total;
}

}  // namespace cryptolake::stream
