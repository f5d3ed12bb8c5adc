#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stop_token>

#include <fmt/format.h>

#include "lake/local_object_store.hpp"
#include "lake/raw_zone.hpp"
#include "io/codec/sha256.hpp"
#include "io/codec/zip.hpp"
#include "sources/binance/archive_import.hpp"
#include "support/fixtures.hpp"
#include "support/temp_dir.hpp"
#include "support/zip_writer.hpp"

namespace cryptolake::sources::binance {
namespace {

using core::Timestamp;

struct Parsed {
  std::vector<core::Kline> klines;
  std::vector<RejectedRow> rejected;
};

Parsed parse_fixture(const std::string& name, const char* symbol, const char* interval) {
  Parsed p;
  const KlineContext context{"binance", *core::Symbol::parse(symbol), interval, {}};
  EXPECT_TRUE(parse_archive_csv(testing::read_fixture(name), context, p.klines, p.rejected));
  return p;
}

// Every decimal text of the file equals the double it parsed to: the nearest double, as libc's
// strtod reads it; and where the text, trailing zeros included, has at most 15 digits (all a
// double holds exactly), printing the double back with as many places gives the text again.
void expect_exact_round_trip(const std::string& name, const Parsed& p) {
  const std::string text = testing::read_fixture(name);
  size_t row = 0;
  for (size_t pos = 0; pos < text.size() && row < p.klines.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] < '0' || line[0] > '9') continue;
    std::vector<std::string> f;
    for (size_t start = 0;;) {
      const size_t comma = line.find(',', start);
      f.push_back(line.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    const core::Kline& k = p.klines[row++];
    const auto same = [](const std::string& t, double v) {
      if (std::strtod(t.c_str(), nullptr) != v) return false;
      const size_t dot = t.find('.');
      const int places = dot == std::string::npos ? 0 : static_cast<int>(t.size() - dot - 1);
      std::string digits = t;
      std::erase(digits, '.');
      digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
      return digits.size() > 15 || fmt::format("{:.{}f}", v, places) == t;
    };
    EXPECT_EQ(Timestamp::from_epoch_auto(std::stoll(f[0])), k.open_time) << line;
    EXPECT_TRUE(same(f[1], k.open) && same(f[2], k.high) && same(f[3], k.low) && same(f[4], k.close) &&
                same(f[5], k.volume) && same(f[7], k.quote_volume) && same(f[9], k.taker_buy_base) &&
                same(f[10], k.taker_buy_quote))
        << line;
    EXPECT_EQ(std::to_string(k.trades), f[8]);
  }
  EXPECT_EQ(row, p.klines.size());
}

TEST(ArchiveCsv, RealDumpsParseWithTheRowCountsCheckedByHand) {
  struct Case {
    const char* file;
    const char* symbol;
    const char* interval;
    size_t rows;
    const char* first_open;
  };
  const Case cases[] = {
      {"binance_vision_spot_BTCUSDT-1h-2024-02.csv", "BTCUSDT", "1h", 696, "2024-02-01T00:00:00.000000Z"},
      {"binance_vision_spot_ADABTC-1m-2021-11-27_head10.csv", "ADABTC", "1m", 10, "2021-11-27T00:00:00.000000Z"},
      {"binance_vision_spot_ADABTC-1m-2021-11-28_head11.csv", "ADABTC", "1m", 11, "2021-11-28T00:00:00.000000Z"},
      // µs timestamps and a header row
      {"ltftf_binance_vision_spot_BTCUSDT-4h-2026-01-01_header_us.csv", "BTCUSDT", "4h", 6, "2026-01-01T00:00:00.000000Z"},
      {"ltftf_binance_vision_spot_DOGEUSDT-1d-2024-05_header.csv", "DOGEUSDT", "1d", 31, "2024-05-01T00:00:00.000000Z"},
      {"ltftf_binance_vision_spot_XRPUSDT-1d-2023-12-15_to_2024-01-15_header.csv", "XRPUSDT", "1d", 32, "2023-12-15T00:00:00.000000Z"},
      // mark-price klines: zero volumes, "3348" without decimals
      {"ltftf_binance_vision_usdm_ETHUSDT-markPriceKlines-4h-2025-01-01_header.csv", "ETHUSDT", "4h", 6, "2025-01-01T00:00:00.000000Z"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const Parsed p = parse_fixture(c.file, c.symbol, c.interval);
    EXPECT_TRUE(p.rejected.empty()) << p.rejected.front().reason;
    ASSERT_EQ(p.klines.size(), c.rows);
    EXPECT_EQ(p.klines.front().open_time.iso(), c.first_open);
    EXPECT_EQ(p.klines.front().received_at, p.klines.front().close_time + 1000);
    expect_exact_round_trip(c.file, p);
  }
}

TEST(ArchiveCsv, HandlesCrlfAndQuarantinesBadRows) {
  const std::string csv =
      "1704067200000,1.0,2.0,0.5,1.5,10,1704067259999,15,3,5,7.5,0\r\n"
      "1704067260000,1.0,0.1,0.5,1.5,10,1704067319999,15,3,5,7.5,0\r\n"
      "garbage line\r\n"
      "1704067320000,1.0,2.0,0.5,1.5,10,1704067379999,15,3,5,7.5,0";  // no final newline
  std::vector<core::Kline> klines;
  std::vector<RejectedRow> rejected;
  ASSERT_TRUE(parse_archive_csv(csv, {"binance", *core::Symbol::parse("BTCUSDT"), "1m", {}}, klines, rejected));
  EXPECT_EQ(klines.size(), 2u);
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_NE(rejected[0].reason.find("outside open"), std::string::npos);
  EXPECT_EQ(rejected[1].reason, "row has 1 fields, expected 12");
  EXPECT_EQ(rejected[1].text, "garbage line");
}

TEST(ArchiveNames, FromBinanceLayoutAndRenamedCopies) {
  auto monthly = parse_archive_name("data/spot/monthly/klines/BTCUSDT/1mo/BTCUSDT-1mo-2024-02.zip");
  ASSERT_TRUE(monthly);
  EXPECT_EQ(monthly->symbol.canonical(), "BTC-USDT");
  EXPECT_EQ(monthly->interval, "1M");
  EXPECT_EQ(monthly->period, "2024-02");
  auto renamed = parse_archive_name("ltftf_binance_vision_spot_DOGEUSDT-1d-2024-05_header.csv");
  ASSERT_TRUE(renamed);
  EXPECT_EQ(renamed->symbol.canonical(), "DOGE-USDT");
  EXPECT_FALSE(parse_archive_name("ETHUSDT-markPriceKlines-4h-2025-01-01.csv"));
  EXPECT_FALSE(parse_archive_name("notes.csv"));
}

TEST(ArchiveImport, ZipWithChecksumLandsAndTheWrongChecksumIsRefused) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path());
  lake::RawZoneWriter raw(store);
  const std::string csv = testing::read_fixture("binance_vision_spot_ADABTC-1m-2021-11-27_head10.csv");
  const std::string zip = testing::make_zip("ADABTC-1m-2021-11-27.csv", csv);
  const std::string checksum = io::sha256_hex(zip) + "  ADABTC-1m-2021-11-27.zip\n";
  auto landed = land_archive(raw, "binance", {"ADABTC-1m-2021-11-27.zip", zip, checksum, {}, {}, {}});
  ASSERT_TRUE(landed) << landed.error().message;
  EXPECT_TRUE(landed->checksum_verified);
  EXPECT_EQ(landed->key, "raw/binance/archive/dt=2021-11-27/ADABTC-1m-2021-11-27.zip");
  EXPECT_EQ(*store.get(landed->key), zip);  // byte for byte
  EXPECT_EQ(*archive_csv_text(landed->key, zip), csv);

  std::string corrupted = zip;
  corrupted[corrupted.size() / 2] ^= 0x55;
  auto refused = land_archive(raw, "binance", {"ADABTC-1m-2021-11-28.zip", corrupted, checksum, {}, {}, {}});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("does not match its .CHECKSUM"), std::string::npos);
  EXPECT_FALSE(io::read_zip("PK\x03\x04 not really a zip"));
}

// `--interval 1m` on hourly rows made 42,421 "missing" candles; the rows say what they are.
TEST(ArchiveImport, AMislabelledIntervalIsRefusedWithTheIntervalTheRowsHave) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path());
  lake::RawZoneWriter raw(store);
  const std::string csv = testing::read_fixture("binance_vision_spot_BTCUSDT-1h-2024-02.csv");
  auto refused = land_archive(raw, "binance", {"prices.csv", csv, {}, core::Symbol::parse("BTCUSDT").value(), "1m", "2024-02"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "prices.csv: the rows are 1h candles (close_time − open_time + 1 = 3600000 ms) but the interval is 1m; fix --interval");
  const std::string zip = testing::make_zip("BTCUSDT-1m-2024-02.csv", csv);
  auto misnamed = land_archive(raw, "binance", {"BTCUSDT-1m-2024-02.zip", zip, {}, {}, {}, {}});
  ASSERT_FALSE(misnamed);
  EXPECT_NE(misnamed.error().message.find("the rows are 1h candles"), std::string::npos) << misnamed.error().message;
  auto right = land_archive(raw, "binance", {"prices.csv", csv, {}, core::Symbol::parse("BTCUSDT").value(), "1h", "2024-02"});
  EXPECT_TRUE(right) << right.error().message;
}

TEST(ArchiveImport, ANameThatSaysNothingListsEveryOptionNeededAndNeverTakesANumberForASymbol) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path());
  lake::RawZoneWriter raw(store);
  const std::string csv = testing::read_fixture("binance_vision_spot_BTCUSDT-1h-2024-02.csv");
  auto bare = land_archive(raw, "binance", {"2021-export.csv", csv, {}, {}, {}, {}});
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().message, "2021-export.csv: the name does not say SYMBOL-interval-YYYY-MM[-DD]; give --symbol (e.g. BTCUSDT), "
                                  "--interval (e.g. 1h), --period (YYYY-MM or YYYY-MM-DD)");
  auto partly = land_archive(raw, "binance", {"2021-export.csv", csv, {}, core::Symbol::parse("BTCUSDT").value(), "1h", {}});
  ASSERT_FALSE(partly);
  EXPECT_NE(partly.error().message.find("give --period (YYYY-MM or YYYY-MM-DD)"), std::string::npos) << partly.error().message;
  EXPECT_EQ(partly.error().message.find("quote asset"), std::string::npos);
}

// Many files land on threads, each read only when a thread takes it; every problem is reported,
// in the files' order, and the others still land.
TEST(ArchiveImport, ManyFilesLandOnThreadsHoldingAtMostOnePerThread) {
  testing::TempDir dir;
  lake::LocalObjectStore store(dir.path());
  lake::RawZoneWriter raw(store);
  const std::string csv = testing::read_fixture("binance_vision_spot_ADABTC-1m-2021-11-27_head10.csv");
  constexpr size_t kFiles = 24, kThreads = 3;
  std::atomic<int> held{0}, most_held{0};
  const auto file_at = [&](size_t i) -> core::Result<ArchiveFile> {
    const int now = ++held;
    for (int seen = most_held.load(); now > seen && !most_held.compare_exchange_weak(seen, now);) {
    }
    if (i == 5) return core::fail(core::ErrorCode::io_error, "file 5: cannot read");
    const std::string name = i == 17 ? "notes.csv" : fmt::format("ADABTC-1m-2021-11-{:02}.csv", i + 1);
    return ArchiveFile{name, csv, std::nullopt, {}, {}, {}};
  };
  std::vector<size_t> done;
  std::mutex mutex;
  const LandedArchives landed = land_archives(raw, "binance", kFiles, file_at, kThreads, [&](size_t n, std::string_view) {
    --held;  // let go before the next is taken
    std::lock_guard lock(mutex);
    done.push_back(n);
  });
  EXPECT_EQ(landed.landed, kFiles - 2);
  ASSERT_EQ(landed.problems.size(), 2u);
  EXPECT_EQ(landed.problems[0], "file 5: cannot read");
  EXPECT_NE(landed.problems[1].find("notes.csv: the name does not say"), std::string::npos) << landed.problems[1];
  EXPECT_EQ(store.list("raw/binance/archive/")->size(), kFiles - 2);
  EXPECT_EQ(*archive_csv_text("x.csv.zst", *store.get("raw/binance/archive/dt=2021-11-24/ADABTC-1m-2021-11-24.csv.zst")), csv);
  EXPECT_LE(most_held.load(), static_cast<int>(kThreads));
  EXPECT_EQ(done.size(), kFiles);

  // A stop leaves the files not yet taken: neither landed nor problems.
  testing::TempDir other;
  lake::LocalObjectStore stopped_store(other.path());
  lake::RawZoneWriter stopped_raw(stopped_store);
  std::stop_source stop;
  const LandedArchives part = land_archives(stopped_raw, "binance", kFiles, file_at, 1, [&](size_t n, std::string_view) {
    if (n == 3) stop.request_stop();
  }, stop.get_token());
  EXPECT_EQ(part.landed, 3u);
  EXPECT_TRUE(part.problems.empty());
  EXPECT_EQ(stopped_store.list("raw/binance/archive/")->size(), 3u);
}

}  // namespace
}  // namespace cryptolake::sources::binance
