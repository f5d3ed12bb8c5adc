#include "sources/binance/archive_download.hpp"

#include <gtest/gtest.h>

#include "io/real/curl_http_client.hpp"
#include "support/loopback_server.hpp"
#include "support/zip_writer.hpp"

namespace cryptolake::sources::binance {
namespace {

using core::Timestamp;

TEST(ArchiveDownload, UrlsFollowDataBinanceVisionsLayout) {
  ArchiveRange range{"https://data.binance.vision", "spot", {*core::Symbol::parse("BTCUSDT")}, "1m",
                     *Timestamp::parse_date("2024-01-30"), *Timestamp::parse_date("2024-02-01"), false};
  auto daily = archive_urls(range);
  ASSERT_TRUE(daily) << daily.error().message;
  ASSERT_EQ(daily->size(), 3u);
  EXPECT_EQ((*daily)[0].url, "https://data.binance.vision/data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-30.zip");
  EXPECT_EQ((*daily)[2].name, "BTCUSDT-1m-2024-02-01.zip");

  range.market = "um";
  range.monthly = true;
  range.interval = "1M";
  range.symbols.push_back(*core::Symbol::parse("ETHUSDT"));
  auto monthly = archive_urls(range);
  ASSERT_TRUE(monthly);
  ASSERT_EQ(monthly->size(), 4u);  // January and February, for each symbol
  EXPECT_EQ((*monthly)[1].url, "https://data.binance.vision/data/futures/um/monthly/klines/BTCUSDT/1mo/BTCUSDT-1mo-2024-02.zip");
  EXPECT_EQ((*monthly)[2].name, "ETHUSDT-1mo-2024-01.zip");

  std::swap(range.from, range.to);
  EXPECT_FALSE(archive_urls(range));
}

TEST(ArchiveDownload, EachFileComesWithItsChecksumAndAMissingOneIsAProblemNotAFailure) {
  testing::LoopbackServer server;
  const std::string base = "/data/spot/daily/klines/ADABTC/1m/";
  const std::string zip = testing::make_zip("ADABTC-1m-2021-11-27.csv", "1637971200000,1,1,1,1,1,1637971259999,1,1,1,1,0\n");
  server.route(base + "ADABTC-1m-2021-11-27.zip", [&](const testing::LoopbackRequest&) {
    return testing::LoopbackReply{200, zip, "application/zip", {}, 0};
  });
  server.route(base + "ADABTC-1m-2021-11-27.zip.CHECKSUM", [](const testing::LoopbackRequest&) {
    return testing::LoopbackReply{200, "abc  ADABTC-1m-2021-11-27.zip\n", "text/plain", {}, 0};
  });
  server.route(base + "ADABTC-1m-2021-11-28.zip", [&](const testing::LoopbackRequest&) {
    return testing::LoopbackReply{200, zip, "application/zip", {}, 0};
  });
  io::CurlHttpClient http;
  ArchiveRange range{server.base_url(), "spot", {*core::Symbol::parse("ADABTC")}, "1m", *Timestamp::parse_date("2021-11-27"),
                     *Timestamp::parse_date("2021-11-29"), false};
  std::vector<std::string> progress;
  std::vector<ArchiveFile> files;
  const auto problems = download_archives(
      http, *archive_urls(range), [&](ArchiveFile file) { files.push_back(std::move(file)); },
      [&](size_t done, size_t total, std::string_view name) { progress.push_back(fmt::format("{}/{} {}", done, total, name)); });
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].name, "ADABTC-1m-2021-11-27.zip");
  EXPECT_EQ(files[0].bytes, zip);
  EXPECT_EQ(files[0].checksum, "abc  ADABTC-1m-2021-11-27.zip\n");
  EXPECT_FALSE(files[1].checksum);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("ADABTC-1m-2021-11-29.zip: HTTP 404"), std::string::npos) << problems[0];
  EXPECT_EQ(progress, (std::vector<std::string>{"0/3 ADABTC-1m-2021-11-27.zip", "1/3 ADABTC-1m-2021-11-28.zip", "2/3 ADABTC-1m-2021-11-29.zip"}));
}

}  // namespace
}  // namespace cryptolake::sources::binance
