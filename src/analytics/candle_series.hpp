// The market_ohlcv candles a stage that walks each series in time order must read again: the days
// from the first one that changed since its last run (rewritten), and before them each series'
// last `tail` candles (read for the windows only). What market_features and projections share.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "lake/duckdb.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::analytics {

struct SeriesName {
  std::string source, symbol, interval;
};

struct SeriesCandle {
  uint32_t series;  // index into CandleSeries::series
  int64_t open_time;  // µs since the epoch
  double close;
  double volume;
  int64_t trades;  // 0 where the source does not say
  bool written;  // false: a row before the rewritten days, read for the windows only
};

struct CandleSeries {
  std::vector<SeriesName> series;     // ordered by (source, symbol, interval)
  std::vector<SeriesCandle> candles;  // ordered by series, then open_time
  std::string versions;               // the market_ohlcv partition versions read: the next run's `consumed`
  bool unchanged = false;             // nothing changed since `consumed`: nothing was read
};

struct ChangedDays {
  std::optional<std::string> consumed;   // the versions the stage's last run read; nothing: rewrite every day
  int tail = 0;                          // candles per series read before the rewritten days
  int days_before = 0;                   // also rewrite this many days before the first changed one
  std::optional<std::string> first_day = std::nullopt;  // "YYYY-MM-DD": no day before it is rewritten (read for tails only)
};

[[nodiscard]] core::Result<CandleSeries> read_changed_candles(lake::ObjectStore& store, lake::DuckDb& duckdb, const ChangedDays& what);

// The same candles a few days at a time, so a stage holds a group of days, not the table.
struct CandleGroup {
  bool tails = false;                      // each series' last candles before the rewritten days (written = false)
  const std::vector<SeriesName>& series;   // every series met so far, by SeriesCandle::series (ids stay across groups)
  std::span<const SeriesCandle> candles;   // ordered by day, then series name, then time
};
using CandleGroupVisit = std::function<core::Status(const CandleGroup&)>;
struct CandleDaysRead {
  std::string versions;    // as CandleSeries::versions
  bool unchanged = false;  // as CandleSeries::unchanged
  size_t candles = 0;      // read, tails included
};
// How many rewritten days a group holds: at least `min_days`, and more while the group stays
// within `max_rows` candles by the files' own row counts (a day is never split).
struct DayGroupSize {
  size_t min_days = 1;
  size_t max_rows = 0;
};
// The tails first (when there are any), then the rewritten days in order, a group at a time; a
// series' candles come in time order across groups. An error from `visit` stops the read.
[[nodiscard]] core::Result<CandleDaysRead> read_changed_candles_by_day(lake::ObjectStore& store, lake::DuckDb& duckdb, const ChangedDays& what,
                                                                       DayGroupSize size, const CandleGroupVisit& visit);

// For stages that keep only the last `days` days of market_ohlcv (0: every day): the first of
// them ("YYYY-MM-DD"), once the partitions of `tables` before it are removed — so a run leaves
// what a full rebuild would, whatever ran before it. Nothing when every day is kept.
[[nodiscard]] core::Result<std::optional<std::string>> keep_last_days(lake::ObjectStore& store, int days, const std::vector<std::string_view>& tables);

}  // namespace cryptolake::analytics
