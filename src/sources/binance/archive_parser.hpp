// data.binance.vision kline dumps: data/{spot|futures/um|futures/cm}/{daily|monthly}/klines/
// <SYMBOL>/<interval>/<SYMBOL>-<interval>-<YYYY-MM[-DD]>.zip, each holding one CSV of the REST
// layout (12 unquoted columns). Binance's own files have no header; tools that re-save them
// often add one. Spot timestamps are µs from 2025-01-01, ms before and in futures; lines may
// end in CRLF.
#pragma once

#include <string>
#include <vector>

#include "sources/binance/kline_parser.hpp"

namespace cryptolake::sources::binance {

struct ArchiveName {
  core::Symbol symbol;
  std::string interval;
  std::string period;  // YYYY-MM (monthly) or YYYY-MM-DD (daily)
};

// "BTCUSDT-1m-2024-02.zip", "ADABTC-1m-2021-11-27.csv" (monthly interval "1mo" means 1M).
[[nodiscard]] core::Result<ArchiveName> parse_archive_name(std::string_view filename);

// Rows of one CSV into klines (context.received_at unset: each candle counts as received when it
// closed); bad rows to `rejected` with the reason and the line. A header row is recognised and
// skipped. Fails only when the text has no row at all.
[[nodiscard]] core::Status parse_archive_csv(std::string_view text, const KlineContext& context,
                                             std::vector<core::Kline>& out, std::vector<RejectedRow>& rejected);
// The same rows as values only (appended to `out`), for callers that keep whose they are once.
[[nodiscard]] core::Status parse_archive_csv_values(std::string_view text, core::Timestamp received_at,
                                                    std::vector<core::KlineValues>& out, std::vector<RejectedRow>& rejected);

// The length of the first row's candle, close_time − open_time + 1, in µs; nothing when the
// text has no row that reads as a candle.
std::optional<int64_t> first_candle_micros(std::string_view text);

// The .CHECKSUM file's text: "<sha256 hex>  <file name>".
[[nodiscard]] core::Status verify_checksum(std::string_view bytes, std::string_view checksum_text,
                                           std::string_view file_name);

}  // namespace cryptolake::sources::binance
