// Collecting Binance klines for many targets: each is backfilled from its checkpoint; with
// `follow`, polling then goes on, live, just after each interval closes, until stopped. Also
// the plan a dry run prints and the refetch of one gap.
#pragma once

#include <functional>
#include <stop_token>
#include <vector>

#include "io/clock.hpp"
#include "sources/binance/kline_backfill.hpp"

namespace cryptolake::sources::binance {

// After every page: which target (by index), its rows and the open time reached.
using CollectProgress = std::function<void(size_t target_index, const KlineTarget&, int64_t rows, core::Timestamp reached)>;

struct CollectReport {
  int64_t rows = 0;          // candles received, open ones included
  bool interrupted = false;  // stopped before the end (the checkpoints are saved)
};

[[nodiscard]] core::Result<CollectReport> collect_klines(ServiceSession& session, io::CheckpointStore& checkpoints,
                                                         std::vector<KlineTarget> targets, bool follow, io::Clock& clock,
                                                         const CollectProgress& progress = {}, std::stop_token stop = {});

struct BackfillPlan {
  core::Timestamp from, to;
  int64_t candles = 0;
  int64_t requests = 0;
  int64_t weight = 0;
};
// What backfilling `target` from its checkpoint (or since) up to `now` costs.
BackfillPlan plan_backfill(const KlineTarget& target, const io::CheckpointStore& checkpoints, core::Timestamp now);

// Asks once more for the candles in [start, end) of one symbol (a gap the ledger lists).
[[nodiscard]] core::Status refetch_klines(ServiceSession& session, const core::Symbol& symbol, std::string_view interval,
                                          core::Timestamp start, core::Timestamp end, std::stop_token stop = {});

}  // namespace cryptolake::sources::binance
