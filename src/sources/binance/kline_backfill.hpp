// Backfill of Binance klines through GET /api/v3/klines, paginated by startTime with limit=1000.
// A checkpoint per (symbol, interval) records the next start after
// every page has landed in the raw zone, so a killed backfill resumes without re-requesting
// finished pages. A candle still open when received is not passed: the next run (or the next
// follow-up poll) fetches it again once closed.
#pragma once

#include <array>

#include <functional>
#include <optional>
#include <stop_token>
#include <string>

#include "core/symbol.hpp"
#include "core/timestamp.hpp"
#include "io/checkpoint_store.hpp"
#include "sources/service_session.hpp"

namespace cryptolake::sources::binance {

inline constexpr int64_t kKlinesWeight = 2;  // GET /api/v3/klines, any limit
inline constexpr int kKlinesPageLimit = 1000;

struct KlineTarget {
  core::Symbol symbol;
  std::string interval;  // 1s, 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 3d, 1w, 1M
  core::Timestamp since;
  std::optional<core::Timestamp> until;  // exclusive; none: up to now
};

struct BackfillResult {
  int64_t pages = 0;
  int64_t rows = 0;
  core::Timestamp next_start;  // the checkpoint after this run
  bool caught_up = false;      // reached `until` or the present
};

// Called after every page with the rows and the open time reached.
using PageProgress = std::function<void(const KlineTarget&, int64_t rows, core::Timestamp reached)>;

inline constexpr std::array<std::string_view, 16> kBinanceIntervals = {"1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h",
                                                                     "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M"};
bool is_binance_interval(std::string_view interval);

// Binance's REST endpoint: weight budget per minute, used-weight header, optional API key.
ServiceEndpoint binance_endpoint(std::string base_url, int64_t weight_per_minute = 6000, std::string api_key = {});

// Checkpoint name for a target, and its saved value (the next open time to request).
std::string checkpoint_name(const core::Symbol& symbol, std::string_view interval);
[[nodiscard]] std::optional<core::Timestamp> read_checkpoint(const io::CheckpointStore& checkpoints, const core::Symbol& symbol,
                                                             std::string_view interval);

[[nodiscard]] core::Result<BackfillResult> backfill_klines(ServiceSession& session, io::CheckpointStore& checkpoints,
                                                           const KlineTarget& target, io::Priority priority,
                                                           const PageProgress& progress = {},
                                                           std::stop_token stop = {});

// The request path for one page.
std::string klines_path(const core::Symbol& symbol, std::string_view interval, int64_t start_ms,
                        std::optional<int64_t> end_ms, int limit = kKlinesPageLimit);

}  // namespace cryptolake::sources::binance
