#include "sources/binance/kline_backfill.hpp"

#include <gtest/gtest.h>

#include <set>

#include "io/manual_clock.hpp"
#include "io/real/curl_http_client.hpp"
#include "lake/checkpoint_objects.hpp"
#include "lake/local_object_store.hpp"
#include "lake/raw_zone.hpp"
#include "support/fake_binance.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::sources::binance {
namespace {

using core::Timestamp;

const Timestamp kHistoryStart = *Timestamp::parse_iso("2024-03-01T00:00:00Z");

// Everything a backfill needs, against the fake Binance on loopback, with a clock that jumps over
// every wait so rate-limit pauses of minutes take no time.
class BackfillTest : public ::testing::Test {
 protected:
  BackfillTest()
      : clock_(kHistoryStart + 3 * Timestamp::kMicrosPerDay + 30 * Timestamp::kMicrosPerSecond, /*auto_advance=*/true),
        fake_(server_, clock_, kHistoryStart),
        store_(dir_.path()),
        raw_(store_),
        checkpoints_(store_),
        governor_(ledger_, clock_) {}

  ServiceSession session(int64_t per_minute = 6000) {
    return ServiceSession(http_, governor_, clock_, raw_, binance_endpoint(server_.base_url(), per_minute),
                          io::RetryPolicy{.max_attempts = 4, .base_delay_us = 100'000, .max_delay_us = 1'000'000});
  }
  KlineTarget btc() { return {*core::Symbol::parse("BTCUSDT"), "1m", kHistoryStart, std::nullopt}; }

  testing::TempDir dir_;
  testing::LoopbackServer server_;
  io::ManualClock clock_;
  testing::FakeBinance fake_;
  lake::LocalObjectStore store_;
  lake::RawZoneWriter raw_;
  lake::CheckpointObjects checkpoints_;
  io::InMemoryBudgetLedger ledger_;
  io::RateGovernor governor_;
  io::CurlHttpClient http_;
};

TEST_F(BackfillTest, PagesThroughHistoryAndStopsAtTheOpenCandle) {
  auto s = session();
  auto result = backfill_klines(s, checkpoints_, btc(), io::Priority::backfill);
  ASSERT_TRUE(result) << result.error().message;
  // 3 days + 1 minute of candles exist: 4321, the last one still open.
  EXPECT_EQ(result->rows, 4321);
  EXPECT_EQ(result->pages, 5);
  EXPECT_TRUE(result->caught_up);
  EXPECT_EQ(result->next_start, kHistoryStart + 3 * Timestamp::kMicrosPerDay - 60'000'000 + 1000);
  EXPECT_EQ(read_checkpoint(checkpoints_, btc().symbol, "1m"), result->next_start);
  EXPECT_EQ(store_.list("raw/binance/klines/")->size(), 5u);  // every page landed as received
  const auto starts = fake_.start_times();
  ASSERT_EQ(starts.size(), 5u);
  EXPECT_EQ(starts[0], kHistoryStart.millis());
  EXPECT_EQ(starts[1], kHistoryStart.millis() + 999 * 60'000 + 1);
}

TEST_F(BackfillTest, ResumesFromTheCheckpointWithoutRequestingFinishedPagesAgain) {
  std::stop_source stop;
  auto s = session();
  int pages = 0;
  auto first = backfill_klines(s, checkpoints_, btc(), io::Priority::backfill,
                               [&](const KlineTarget&, int64_t, Timestamp) {
                                 if (++pages == 2) stop.request_stop();  // killed after two pages
                               },
                               stop.get_token());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->pages, 2);
  auto second = backfill_klines(s, checkpoints_, btc(), io::Priority::backfill);
  ASSERT_TRUE(second) << second.error().message;
  const auto starts = fake_.start_times();
  EXPECT_EQ(std::set<int64_t>(starts.begin(), starts.end()).size(), starts.size()) << "a page was requested twice";
  EXPECT_EQ(first->rows + second->rows, 4321);
}

TEST_F(BackfillTest, RidesOutScriptedFaults) {
  const auto html = R"(<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>)";
  server_.script("/api/v3/klines",
                 {{429, R"({"code":-1003,"msg":"Too much request weight used."})", "application/json", {{"Retry-After", "7"}}, 0},
                  {500, R"({"code":-1000,"msg":"An unknown error occurred"})", "application/json", {}, 0},
                  {502, html, "text/html", {}, 0},
                  {200, R"([[1709251200000,"1.0","2.0")", "application/json", {}, 0},  // truncated
                  {418, R"({"code":-1003,"msg":"Way too much request weight used; IP banned"})", "application/json",
                   {{"Retry-After", "120"}}, 0}});
  const Timestamp before = clock_.now();
  auto s = session();
  auto result = backfill_klines(s, checkpoints_, btc(), io::Priority::backfill);
  ASSERT_TRUE(result) << result.error().message;
  // The pauses let the clock run on: history grew by those minutes, the last one open.
  EXPECT_EQ(result->rows, (clock_.now() - kHistoryStart) / Timestamp::kMicrosPerMinute + 1);
  // The 429 and the 418 were honoured: at least 7 s + 120 s passed on the clock.
  EXPECT_GE(clock_.now() - before, 127 * Timestamp::kMicrosPerSecond);
  // The truncated body was landed as received (for the record) and the page asked again.
  EXPECT_EQ(store_.list("raw/binance/klines/")->size(), 6u);
}

TEST_F(BackfillTest, UnrecoverableErrorsSayWhatTheServerSaid) {
  server_.script("/api/v3/klines", {{403, "<html>Request blocked by WAF</html>", "text/html", {}, 0}});
  auto s = session();
  auto result = backfill_klines(s, checkpoints_, btc(), io::Priority::backfill);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("HTTP 403: <html>Request blocked by WAF</html>"), std::string::npos)
      << result.error().message;
  for (int i = 0; i < 4; ++i) server_.script("/api/v3/klines", {{503, "busy", "text/plain", {}, 0}});
  auto again = backfill_klines(s, checkpoints_, btc(), io::Priority::backfill);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("gave up after 4 attempts"), std::string::npos) << again.error().message;
}

TEST_F(BackfillTest, ReadTimeoutsAreTimedOutErrorsWhichTheRetryPolicyRetries) {
  io::HttpRequest probe;
  probe.url = server_.base_url() + "/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1";
  probe.read_timeout = std::chrono::milliseconds(1000);
  server_.script("/api/v3/klines", {{200, "[]", "application/json", {}, 1300}});
  auto direct = http_.send(probe);
  ASSERT_FALSE(direct);
  EXPECT_EQ(direct.error().code, core::ErrorCode::timed_out);
  EXPECT_TRUE(io::RetryPolicy::retryable(direct));
}

TEST_F(BackfillTest, GovernorUsesNinetyPercentOfTheBudgetWithoutA429) {
  // A tight budget so the test crosses many minutes: 120 weight = 60 pages per minute.
  testing::LoopbackServer server;
  testing::FakeBinance fake(server, clock_, kHistoryStart - 300LL * 1000 * Timestamp::kMicrosPerMinute, 120);
  ServiceSession s(http_, governor_, clock_, raw_, binance_endpoint(server.base_url(), 120));
  auto result = backfill_klines(s, checkpoints_, {*core::Symbol::parse("ETHUSDT"), "1m", kHistoryStart - 300LL * 1000 * Timestamp::kMicrosPerMinute, kHistoryStart},
                                io::Priority::live);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->pages, 300);
  EXPECT_EQ(fake.too_many_requests(), 0);
  const auto per_minute = fake.weight_per_minute();
  ASSERT_GE(per_minute.size(), 5u);
  // Every full minute (not the last, partial one) used at least 90 % of the budget.
  auto last = std::prev(per_minute.end());
  for (auto it = per_minute.begin(); it != last; ++it) EXPECT_GE(it->second, 108) << "minute " << it->first;
}

TEST(KlinePaths, BuildsBinanceQueries) {
  EXPECT_EQ(klines_path(*core::Symbol::parse("BTC-USDT"), "1h", 1000, 5000),
            "/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=1000&limit=1000&endTime=5000");
  EXPECT_TRUE(is_binance_interval("1M"));
  EXPECT_FALSE(is_binance_interval("2m"));
  EXPECT_NE(checkpoint_name(*core::Symbol::parse("BTCUSDT"), "1M"), checkpoint_name(*core::Symbol::parse("BTCUSDT"), "1m"));
}

}  // namespace
}  // namespace cryptolake::sources::binance
