// `cryptolake ingest binance` as a user runs it, against a fake Binance in its own process.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "core/timestamp.hpp"
#include "e2e/lake_queries.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::testing {
namespace {

// Starts the fake server with `days` of history; its request log goes to `log`.
class FakeBinanceProcess {
 public:
  FakeBinanceProcess(int days, const std::string& log, int gap_minute = -1) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      const std::string gap = std::to_string(gap_minute);
      ::execl(CRYPTOLAKE_FAKE_BINANCE, CRYPTOLAKE_FAKE_BINANCE, std::to_string(days).c_str(), log.c_str(),
              gap_minute >= 0 ? gap.c_str() : nullptr, nullptr);
      ::_exit(127);
    }
    ::close(fds[1]);
    // Two lines: the base URL, then the date its history starts on.
    std::string out;
    char buffer[256];
    while (std::count(out.begin(), out.end(), '\n') < 2) {
      const ssize_t n = ::read(fds[0], buffer, sizeof(buffer));
      if (n <= 0) break;
      out.append(buffer, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    std::istringstream lines(out);
    std::getline(lines, url_);
    std::string start;
    std::getline(lines, start);
    if (!start.empty()) history_start_ = core::Timestamp::parse_date(start).value();
  }
  ~FakeBinanceProcess() {
    ::kill(pid_, SIGKILL);
    wait_child(pid_);
  }
  const std::string& url() const { return url_; }
  // The UTC date `days` after the first day of the fake's history, as --since/--until take it: the
  // fake's own clock decides what "today" is, so the test never reads it.
  std::string history_day(int days) const { return (history_start_ + int64_t{days} * core::Timestamp::kMicrosPerDay).date(); }

 private:
  int pid_ = -1;
  std::string url_;
  core::Timestamp history_start_;
};

std::set<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::set<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.insert(line);
  return lines;
}

TEST(IngestBinance, BackfillsTransformsAndDryRunsAPlan) {
  TempDir dir;
  FakeBinanceProcess fake(3, (dir.path() / "requests.log").string());
  ASSERT_FALSE(fake.url().empty());
  const std::string lake = (dir.path() / "lake").string();
  // Whole days only, so the plan does not depend on the hour the test runs: 3 days of minutes
  // are ceil(4320 / 1000) = 5 pages of klines per symbol, each of weight 2.
  const std::string since = fake.history_day(0), until = fake.history_day(3);
  const ProcessResult plan = run_cryptolake({"ingest", "binance", "--lake", lake, "--symbols", "BTCUSDT,ETHUSDT",
                                             "--since", since, "--until", until, "--base-url", fake.url(), "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const int pages = 2 * ((3 * 1440 + 999) / 1000);
  EXPECT_NE(plan.out.find(fmt::format("total: {} requests, weight {}", pages, 2 * pages)), std::string::npos) << plan.out;

  const ProcessResult ingest = run_cryptolake({"ingest", "binance", "--lake", lake, "--symbols", "BTCUSDT,ETHUSDT",
                                               "--since", fake.history_day(0), "--base-url", fake.url()});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  const auto rows = sql_rows(lake, "SELECT symbol, count(*), count(DISTINCT open_time) FROM market_ohlcv GROUP BY ALL ORDER BY 1");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "BTC-USDT");
  EXPECT_EQ(rows[0][1], rows[0][2]);  // no duplicates
  EXPECT_GE(std::stoll(rows[0][1]), 3 * 1440);
  // Only closed candles reached the curated table: none of those the fake served while still open.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the fake flushes its logs every 20 ms
  const std::set<std::string> open = lines_of((dir.path() / "requests.log.open").string());
  ASSERT_FALSE(open.empty()) << "the fake served no open candle: the test proves nothing";
  const auto landed = sql_rows(lake, "SELECT DISTINCT epoch_ms(open_time)::VARCHAR FROM market_ohlcv");
  for (const auto& row : landed) EXPECT_FALSE(open.contains(row.at(0))) << "open candle landed: " << row.at(0);

  const ProcessResult bad = run_cryptolake({"ingest", "binance", "--lake", lake, "--symbols", "BTCUSDT",
                                            "--interval", "2m", "--base-url", fake.url()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("not a Binance interval"), std::string::npos) << bad.err;
}

TEST(IngestBinance, KilledBackfillResumesWithoutRefetchingPagesOrDuplicatingRows) {
  TempDir dir;
  const std::string log = (dir.path() / "requests.log").string();
  FakeBinanceProcess fake(200, log);  // ~290 pages of 1-minute candles
  const std::string lake = (dir.path() / "lake").string();
  const std::vector<std::string> args = {"ingest", "binance", "--lake", lake, "--symbols", "BTCUSDT",
                                         "--since", fake.history_day(0), "--base-url", fake.url()};
  const int pid = spawn_cryptolake(args);
  // Kill once some pages are in, well before the end.
  for (int i = 0; i < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::ifstream in(log);
    if (std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n') >= 60) break;
  }
  ::kill(pid, SIGKILL);
  ASSERT_EQ(wait_child(pid), -SIGKILL) << "the backfill finished before it could be killed";
  const ProcessResult resumed = run_cryptolake(args);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the fake flushes its log every 20 ms
  std::ifstream in(log);
  std::map<std::string, int> starts;
  for (std::string line; std::getline(in, line);) ++starts[line];
  int repeated = 0;
  for (const auto& [start, count] : starts) repeated += count - 1;
  // At most the one page in flight at the kill (requested, not yet checkpointed) is asked again.
  EXPECT_LE(repeated, 1);
  EXPECT_GT(starts.size(), 280u);
  const auto rows = sql_rows(lake, "SELECT count(*), count(DISTINCT open_time) FROM market_ohlcv");
  EXPECT_EQ(rows.at(0).at(0), rows.at(0).at(1));
  EXPECT_GE(std::stoll(rows.at(0).at(0)), 200 * 1440);
}

TEST(IngestBinance, GapsAreListedAndARepairThatStillFindsNothingMarksThemUpstream) {
  TempDir dir;
  FakeBinanceProcess fake(2, (dir.path() / "requests.log").string(), /*gap_minute=*/100);
  const std::string lake = (dir.path() / "lake").string();
  const std::vector<std::string> ingest = {"ingest", "binance", "--lake", lake, "--symbols", "BTCUSDT",
                                           "--since", fake.history_day(0), "--base-url", fake.url()};
  ASSERT_EQ(run_cryptolake(ingest).exit_code, 0);
  const auto listed = run_cryptolake({"gaps", "--lake", lake, "--format", "csv"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(",2,missing\n"), std::string::npos) << listed.out;
  EXPECT_EQ(sql_rows(lake, "SELECT missing_candles, class FROM gaps"), (std::vector<std::vector<std::string>>{{"2", "missing"}}));

  std::vector<std::string> repair = {"ingest", "binance", "--lake", lake, "--symbols", "BTCUSDT", "--repair", "--base-url", fake.url()};
  const ProcessResult repaired = run_cryptolake(repair);
  ASSERT_EQ(repaired.exit_code, 0) << repaired.err;
  EXPECT_NE(repaired.err.find("refetched 1 gap(s)"), std::string::npos) << repaired.err;
  EXPECT_EQ(sql_rows(lake, "SELECT missing_candles, class FROM gaps"),
            (std::vector<std::vector<std::string>>{{"2", "missing_upstream"}}));
  const auto daily = sql_rows(lake, "SELECT sum(expected) - sum(present) FROM completeness");
  EXPECT_EQ(daily.at(0).at(0), "2");
}

}  // namespace
}  // namespace cryptolake::testing
