// `cryptolake import binance-archive` on real dump files and from a loopback archive host.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "e2e/lake_queries.hpp"
#include "io/codec/sha256.hpp"
#include "support/fixtures.hpp"
#include "support/loopback_server.hpp"
#include "support/temp_dir.hpp"
#include "support/zip_writer.hpp"

namespace cryptolake::testing {
namespace {

namespace fs = std::filesystem;

TEST(ImportArchive, FoldersOfRealDumpsLandWithTheirRowCounts) {
  TempDir dir;
  const fs::path dumps = dir.path() / "dumps";
  fs::create_directories(dumps / "nested");
  fs::copy_file(fixture_path("binance_vision_spot_BTCUSDT-1h-2024-02.csv"), dumps / "BTCUSDT-1h-2024-02.csv");
  const std::string ada = read_fixture("binance_vision_spot_ADABTC-1m-2021-11-27_head10.csv");
  const std::string zip = make_zip("ADABTC-1m-2021-11-27.csv", ada);
  std::ofstream(dumps / "nested/ADABTC-1m-2021-11-27.zip", std::ios::binary) << zip;
  std::ofstream(dumps / "nested/ADABTC-1m-2021-11-27.zip.CHECKSUM") << io::sha256_hex(zip) << "  ADABTC-1m-2021-11-27.zip\n";
  const std::string lake = (dir.path() / "lake").string();
  const ProcessResult run = run_cryptolake({"import", "binance-archive", "--lake", lake, dumps.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("2 file(s) landed (1 checksum-verified), 0 problem(s)"), std::string::npos) << run.err;
  EXPECT_EQ(sql_rows(lake, "SELECT symbol, interval, count(*) FROM market_ohlcv GROUP BY ALL ORDER BY 1"),
            (std::vector<std::vector<std::string>>{{"ADA-BTC", "1m", "10"}, {"BTC-USDT", "1h", "696"}}));
  // The µs file with a header, named by flags.
  const ProcessResult us = run_cryptolake({"import", "binance-archive", "--lake", lake, "--symbol", "BTCUSDT", "--interval", "4h",
                                           "--period", "2026-01-01", fixture_path("ltftf_binance_vision_spot_BTCUSDT-4h-2026-01-01_header_us.csv")});
  ASSERT_EQ(us.exit_code, 0) << us.err;
  EXPECT_EQ(sql_rows(lake, "SELECT count(*), min(open_time) FROM market_ohlcv WHERE interval = '4h'"),
            (std::vector<std::vector<std::string>>{{"6", "2026-01-01 00:00:00+00"}}));
}

TEST(ImportArchive, DownloadVerifiesChecksumsAndReportsMissingDays) {
  TempDir dir;
  LoopbackServer server;
  const std::string ada = read_fixture("binance_vision_spot_ADABTC-1m-2021-11-27_head10.csv");
  const std::string good = make_zip("ADABTC-1m-2021-11-27.csv", ada);
  const std::string other = make_zip("ADABTC-1m-2021-11-28.csv", read_fixture("binance_vision_spot_ADABTC-1m-2021-11-28_head11.csv"));
  const std::string base = "/data/spot/daily/klines/ADABTC/1m/";
  const auto serve = [&](const std::string& path, std::string body) {
    server.route(path, [body](const LoopbackRequest&) { return LoopbackReply{200, body, "application/zip", {}, 0}; });
  };
  serve(base + "ADABTC-1m-2021-11-27.zip", good);
  serve(base + "ADABTC-1m-2021-11-27.zip.CHECKSUM", io::sha256_hex(good) + "  ADABTC-1m-2021-11-27.zip\n");
  serve(base + "ADABTC-1m-2021-11-28.zip", other);
  serve(base + "ADABTC-1m-2021-11-28.zip.CHECKSUM", io::sha256_hex(good) + "  ADABTC-1m-2021-11-28.zip\n");  // wrong
  const std::string lake = (dir.path() / "lake").string();
  const ProcessResult run = run_cryptolake({"import", "binance-archive", "--lake", lake, "--download", "--symbols", "ADABTC",
                                            "--interval", "1m", "--from", "2021-11-27", "--to", "2021-11-29",
                                            "--base-url", server.base_url()});
  EXPECT_EQ(run.exit_code, 1) << "problems make the exit code non-zero";
  EXPECT_NE(run.err.find("1 file(s) landed (1 checksum-verified), 2 problem(s)"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("ADABTC-1m-2021-11-28.zip: sha256"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("ADABTC-1m-2021-11-29.zip: HTTP 404"), std::string::npos) << run.err;
  EXPECT_EQ(sql_rows(lake, "SELECT count(*) FROM market_ohlcv"), (std::vector<std::vector<std::string>>{{"10"}}));
}

}  // namespace
}  // namespace cryptolake::testing
