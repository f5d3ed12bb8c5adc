// The stream_silent rules of [[alerts]]: a stream process that has neither received nor landed a
// record for `seconds` (on its Clock) raises one alert per silence — a warning line, the
// per-rule counter of /metrics, and the webhook — and is ready for the next once records flow
// again. A silence is a fact about the process, not the data, so it is not a row of the alerts
// table (which `etl` derives from the lake alone).
#pragma once

#include <map>
#include <stop_token>
#include <string>
#include <vector>

#include "analytics/alerts.hpp"
#include "core/config.hpp"
#include "io/clock.hpp"
#include "stream/alert_webhook.hpp"
#include "stream/stream_metrics.hpp"

namespace cryptolake::stream {

class SilenceWatch {
 public:
  // Keeps the stream_silent rules of `rules`; `webhook` may be null.
  SilenceWatch(const std::vector<core::AlertRuleConfig>& rules, StreamMetrics& metrics, io::Clock& clock, AlertWebhook* webhook);

  bool empty() const { return rules_.empty(); }
  // Looks once: the alerts of the rules whose silence has just reached their length.
  std::vector<analytics::AlertRow> check();
  // check() every second of the clock until `stop`.
  void run(std::stop_token stop);

 private:
  std::vector<core::AlertRuleConfig> rules_;
  StreamMetrics& metrics_;
  io::Clock& clock_;
  AlertWebhook* webhook_;
  size_t seen_ = 0;            // records in + out at the last change
  int64_t quiet_since_ = 0;    // µs: when they last changed
  std::map<std::string, bool> fired_;  // per rule, for the current silence
};

}  // namespace cryptolake::stream
