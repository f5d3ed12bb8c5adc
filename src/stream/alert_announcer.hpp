// Says what alerts a stream process's curation raised (the alerts table, analytics/alerts): a
// log line each (the first kMaxLines of a round, then how many more), the per-rule counter of
// /metrics, and one webhook post per round (those lines and the total). Alerts already in the lake
// when it started are not announced again.
#pragma once

#include <cstdint>
#include <optional>

#include "core/result.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"
#include "stream/alert_webhook.hpp"
#include "stream/stream_metrics.hpp"

namespace cryptolake::stream {

class AlertAnnouncer {
 public:
  static constexpr size_t kMaxLines = 20;

  AlertAnnouncer(lake::ObjectStore& store, lake::DuckDb& duckdb, StreamMetrics* metrics, AlertWebhook* webhook = nullptr)
      : store_(store), duckdb_(duckdb), metrics_(metrics), webhook_(webhook) {}

  // Remembers the newest alert already there.
  [[nodiscard]] core::Status start();
  // Logs and counts the alerts newer than the last announced; returns how many there were.
  [[nodiscard]] core::Result<size_t> announce();

 private:
  lake::ObjectStore& store_;
  lake::DuckDb& duckdb_;
  StreamMetrics* metrics_;
  AlertWebhook* webhook_;
  std::optional<int64_t> after_;
};

}  // namespace cryptolake::stream
