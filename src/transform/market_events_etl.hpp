// WebSocket market events landed by `stream land` → curated tables, incrementally like
// market_ohlcv (only the days new raw batches touch are rewritten):
//   trades: raw ws_trade + ws_aggtrade; key (source, symbol, kind, trade_id), the latest received
//           winning; one file per UTC day of trade_time, ordered by the key.
//   quotes: raw ws_bookticker; key (source, symbol, update_id); partitioned by ts — the event time
//           when the feed sends one (futures), else the receipt time (spot).
// Depth updates (ws_depth) stay raw only: a book needs its snapshot and every diff in order.
#pragma once

#include "transform/market_ohlcv_etl.hpp"

namespace cryptolake::transform {

const std::vector<lake::ColumnSpec>& trades_schema();
const std::vector<lake::ColumnSpec>& quotes_schema();

[[nodiscard]] core::Result<lake::WriteStats> run_trades_etl(lake::ObjectStore& store, lake::DuckDb& duckdb, const EtlOptions& options);
[[nodiscard]] core::Result<lake::WriteStats> run_quotes_etl(lake::ObjectStore& store, lake::DuckDb& duckdb, const EtlOptions& options);

}  // namespace cryptolake::transform
