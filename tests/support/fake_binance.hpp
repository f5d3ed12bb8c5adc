// A small Binance on the loopback server: GET /api/v3/klines over a deterministic 1-minute series
// from `history_start` up to the shared clock's now (the last candle still open), minus minutes
// the exchange never fills. It counts REQUEST_WEIGHT per calendar minute of that clock, reports
// it in X-MBX-USED-WEIGHT-1M, and answers 429 above its limit, as Binance does.
#pragma once

#include <mutex>
#include <set>

#include "core/timestamp.hpp"
#include "io/clock.hpp"
#include "support/loopback_server.hpp"

namespace cryptolake::testing {

class FakeBinance {
 public:
  FakeBinance(LoopbackServer& server, io::Clock& clock, core::Timestamp history_start, int64_t weight_limit = 6000);

  std::set<int64_t> missing_ms;  // open times (ms) never served

  int64_t too_many_requests() const;
  std::vector<int64_t> start_times() const;           // startTime of every klines request, in order
  std::map<int64_t, int64_t> weight_per_minute() const;  // minute start (µs) -> weight used
  std::vector<int64_t> open_candles_served() const;      // open times (ms) of candles served still open

  // The candle the fake serves for an open time, as Binance's 12 fields.
  static std::string kline_json(int64_t open_ms);
  static double close_of(int64_t open_ms);

 private:
  LoopbackReply klines(const LoopbackRequest& request);

  io::Clock& clock_;
  core::Timestamp history_start_;
  int64_t weight_limit_;
  mutable std::mutex mutex_;
  int64_t too_many_ = 0;
  std::vector<int64_t> start_times_;
  std::vector<int64_t> open_served_;
  std::map<int64_t, int64_t> weight_;
};

}  // namespace cryptolake::testing
