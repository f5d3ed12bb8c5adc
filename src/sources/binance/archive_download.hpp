// Downloading data.binance.vision kline dumps for a date range:
//   <base>/data/<spot|futures/um|futures/cm>/<daily|monthly>/klines/<SYMBOL>/<interval>/<SYMBOL>-<interval>-<period>.zip
// each with its .CHECKSUM beside it. A file that is not there (daily files appear the day
// after) is reported and the others still come.
#pragma once

#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/symbol.hpp"
#include "core/timestamp.hpp"
#include "io/http_client.hpp"
#include "sources/binance/archive_import.hpp"

namespace cryptolake::sources::binance {

struct ArchiveRange {
  std::string base_url = "https://data.binance.vision";
  std::string market = "spot";  // spot, um or cm
  std::vector<core::Symbol> symbols;
  std::string interval;
  core::Timestamp from, to;  // days, inclusive
  bool monthly = false;
};

struct ArchiveUrl {
  std::string url;
  std::string name;  // the file's own name
};
[[nodiscard]] core::Result<std::vector<ArchiveUrl>> archive_urls(const ArchiveRange& range);

// Called before each file with how many are done, of how many, and the file's name.
using DownloadProgress = std::function<void(size_t done, size_t total, std::string_view name)>;

// Hands each file to `take` as it arrives, with its checksum text when the server had one (one
// file is held at a time, however long the range); returns one problem ("url: HTTP 404") per file
// that did not come.
std::vector<std::string> download_archives(io::HttpClient& http, const std::vector<ArchiveUrl>& urls, const std::function<void(ArchiveFile)>& take,
                                           const DownloadProgress& progress = {}, std::stop_token stop = {});

}  // namespace cryptolake::sources::binance
