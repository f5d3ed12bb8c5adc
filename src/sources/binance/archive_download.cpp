#include "sources/binance/archive_download.hpp"

#include <fmt/format.h>

namespace cryptolake::sources::binance {

using core::Timestamp;

core::Result<std::vector<ArchiveUrl>> archive_urls(const ArchiveRange& range) {
  if (range.to < range.from) return core::fail(core::ErrorCode::invalid_argument, "the range ends before it starts");
  const std::string market_path = range.market == "spot" ? "spot" : "futures/" + range.market;
  const std::string interval = range.interval == "1M" ? "1mo" : range.interval;
  std::vector<ArchiveUrl> urls;
  for (const core::Symbol& symbol : range.symbols) {
    std::string last_period;
    for (Timestamp day = range.from; day <= range.to; day = day + Timestamp::kMicrosPerDay) {
      const std::string period = range.monthly ? day.date().substr(0, 7) : day.date();
      if (period == last_period) continue;
      last_period = period;
      std::string name = fmt::format("{}-{}-{}.zip", symbol.exchange(), interval, period);
      urls.push_back({fmt::format("{}/data/{}/{}/klines/{}/{}/{}", range.base_url, market_path, range.monthly ? "monthly" : "daily",
                                  symbol.exchange(), interval, name),
                      std::move(name)});
    }
  }
  return urls;
}

std::vector<std::string> download_archives(io::HttpClient& http, const std::vector<ArchiveUrl>& urls, const std::function<void(ArchiveFile)>& take,
                                           const DownloadProgress& progress, std::stop_token stop) {
  std::vector<std::string> problems;
  size_t done = 0;
  for (const ArchiveUrl& url : urls) {
    if (stop.stop_requested()) break;
    if (progress) progress(done++, urls.size(), url.name);
    io::HttpRequest request;
    request.url = url.url;
    auto zip = http.send(request);
    if (!zip || zip->status != 200) {
      problems.push_back(fmt::format("{}: {}", url.url, zip ? fmt::format("HTTP {}", zip->status) : zip.error().message));
      continue;
    }
    request.url = url.url + ".CHECKSUM";
    auto checksum = http.send(request);
    ArchiveFile file{url.name, std::move(zip->body), std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    if (checksum && checksum->status == 200) file.checksum = std::move(checksum->body);
    take(std::move(file));
  }
  return problems;
}

}  // namespace cryptolake::sources::binance
