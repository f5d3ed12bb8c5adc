#include "sources/binance/kline_follow.hpp"

#include <fmt/format.h>

#include "core/market.hpp"

namespace cryptolake::sources::binance {

using core::Timestamp;

core::Result<CollectReport> collect_klines(ServiceSession& session, io::CheckpointStore& checkpoints, std::vector<KlineTarget> targets,
                                           bool follow, io::Clock& clock, const CollectProgress& progress, std::stop_token stop) {
  CollectReport report;
  io::Priority priority = io::Priority::backfill;
  do {
    for (size_t i = 0; i < targets.size(); ++i) {
      const auto result = backfill_klines(
          session, checkpoints, targets[i], priority,
          [&](const KlineTarget& target, int64_t rows, Timestamp reached) {
            report.rows += rows;
            if (progress) progress(i, target, rows, reached);
          },
          stop);
      if (!result) {
        if (stop.stop_requested()) break;
        return std::unexpected(result.error());
      }
    }
    if (follow && !stop.stop_requested() && !targets.empty()) {
      // Keep up: the next candle closes at the next interval boundary; ask just after it.
      priority = io::Priority::live;
      const int64_t step = std::max<int64_t>(core::interval_micros(targets.front().interval), Timestamp::kMicrosPerSecond);
      const Timestamp now = clock.now();
      const Timestamp next = Timestamp::from_micros((now.micros() / step + 1) * step) + 2 * Timestamp::kMicrosPerSecond;
      for (KlineTarget& t : targets) t.since = read_checkpoint(checkpoints, t.symbol, t.interval).value_or(t.since);
      if (!clock.sleep_until(next, stop)) break;
    }
  } while (follow && !stop.stop_requested() && !targets.empty());
  report.interrupted = stop.stop_requested();
  return report;
}

BackfillPlan plan_backfill(const KlineTarget& target, const io::CheckpointStore& checkpoints, Timestamp now) {
  BackfillPlan plan;
  plan.from = std::max(target.since, read_checkpoint(checkpoints, target.symbol, target.interval).value_or(target.since));
  plan.to = target.until.value_or(now);
  const int64_t step = core::interval_micros(target.interval);  // 0 for calendar months
  const int64_t span = std::max<int64_t>(0, plan.to - plan.from);
  plan.candles = step > 0 ? span / step : span / (30 * Timestamp::kMicrosPerDay);
  plan.requests = plan.candles / kKlinesPageLimit + 1;
  plan.weight = plan.requests * kKlinesWeight;
  return plan;
}

core::Status refetch_klines(ServiceSession& session, const core::Symbol& symbol, std::string_view interval, Timestamp start,
                            Timestamp end, std::stop_token stop) {
  const std::string request = fmt::format(
      R"({{"method":"GET","endpoint":"/api/v3/klines","symbol":"{}","interval":"{}","startTime":{},"endTime":{},"limit":1000,"repair":true}})",
      symbol.exchange(), interval, start.millis(), end.millis() - 1);
  TRY(session.get(klines_path(symbol, interval, start.millis(), end.millis() - 1), kKlinesWeight, io::Priority::backfill, "klines",
                  request, stop));
  return {};
}

}  // namespace cryptolake::sources::binance
