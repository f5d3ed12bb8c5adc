#include "sources/binance/kline_follow.hpp"

#include <gtest/gtest.h>

#include "support/connector_harness.hpp"
#include "support/fake_binance.hpp"

namespace cryptolake::sources::binance {
namespace {

using core::Timestamp;

const Timestamp kHistoryStart = *Timestamp::parse_iso("2024-03-01T00:00:00Z");
constexpr int64_t kMinute = Timestamp::kMicrosPerMinute;

KlineTarget target(std::string_view symbol) { return {*core::Symbol::parse(symbol), "1m", kHistoryStart, std::nullopt}; }

// One day and 30 s after the history starts: 1440 closed candles and the open one.
struct FollowTest : ::testing::Test {
  testing::ConnectorHarness h{kHistoryStart + Timestamp::kMicrosPerDay + 30 * Timestamp::kMicrosPerSecond};
  testing::FakeBinance fake{h.server, h.clock, kHistoryStart};
};

TEST_F(FollowTest, EveryTargetIsBackfilledInTurnAndCheckpointed) {
  auto session = h.session(binance_endpoint(h.server.base_url()));
  std::vector<size_t> order;
  auto report = collect_klines(session, h.checkpoints, {target("BTCUSDT"), target("ETHUSDT")}, /*follow=*/false, h.clock,
                               [&](size_t index, const KlineTarget&, int64_t, Timestamp) { order.push_back(index); });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->rows, 2 * 1441);
  EXPECT_FALSE(report->interrupted);
  EXPECT_EQ(order, (std::vector<size_t>{0, 0, 1, 1}));  // two pages each (1000 + 441)
  const Timestamp next = kHistoryStart + Timestamp::kMicrosPerDay - kMinute + 1000;  // last closed open + 1 ms
  EXPECT_EQ(read_checkpoint(h.checkpoints, *core::Symbol::parse("BTCUSDT"), "1m"), next);
  EXPECT_EQ(read_checkpoint(h.checkpoints, *core::Symbol::parse("ETHUSDT"), "1m"), next);
}

TEST_F(FollowTest, FollowingPollsFromTheCheckpointJustAfterTheNextCandleCloses) {
  auto session = h.session(binance_endpoint(h.server.base_url()));
  std::stop_source stop;
  int calls = 0;
  auto report = collect_klines(session, h.checkpoints, {target("BTCUSDT"), target("ETHUSDT")}, /*follow=*/true, h.clock,
                               [&](size_t index, const KlineTarget&, int64_t, Timestamp) {
                                 if (++calls > 4 && index == 1) stop.request_stop();  // the second round is done
                               },
                               stop.get_token());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->interrupted);
  // The live round asked each symbol from its checkpoint once the open candle had closed: it got
  // that candle and the next, still open one.
  EXPECT_EQ(report->rows, 2 * 1441 + 2 * 2);
  const auto starts = fake.start_times();
  ASSERT_EQ(starts.size(), 6u);
  const int64_t checkpoint_ms = (kHistoryStart + Timestamp::kMicrosPerDay - kMinute).millis() + 1;
  EXPECT_EQ(starts[4], checkpoint_ms);
  EXPECT_EQ(starts[5], checkpoint_ms);
  EXPECT_EQ(read_checkpoint(h.checkpoints, *core::Symbol::parse("BTCUSDT"), "1m"), kHistoryStart + Timestamp::kMicrosPerDay + 1000);
  EXPECT_TRUE(fake.open_candles_served().size() >= 2u);  // served, never checkpointed past
}

TEST_F(FollowTest, ThePlanCountsCandlesFromTheCheckpointAndPagesOfAThousand) {
  KlineTarget btc = target("BTCUSDT");
  btc.until = kHistoryStart + 2500 * kMinute;
  BackfillPlan plan = plan_backfill(btc, h.checkpoints, h.clock.now());
  EXPECT_EQ(plan.from, kHistoryStart);
  EXPECT_EQ(plan.candles, 2500);
  EXPECT_EQ(plan.requests, 3);
  EXPECT_EQ(plan.weight, 3 * kKlinesWeight);
  ASSERT_TRUE(h.checkpoints.save(checkpoint_name(btc.symbol, "1m"), (kHistoryStart + 2000 * kMinute).iso() + "\n"));
  plan = plan_backfill(btc, h.checkpoints, h.clock.now());
  EXPECT_EQ(plan.from, kHistoryStart + 2000 * kMinute);
  EXPECT_EQ(plan.candles, 500);
  EXPECT_EQ(plan.requests, 1);
  btc.until.reset();
  EXPECT_EQ(plan_backfill(btc, h.checkpoints, h.clock.now()).to, h.clock.now());
}

TEST_F(FollowTest, ARefetchAsksForExactlyTheGapAndSaysItIsARepair) {
  auto session = h.session(binance_endpoint(h.server.base_url()));
  const Timestamp start = kHistoryStart + 10 * kMinute, end = kHistoryStart + 20 * kMinute;
  ASSERT_TRUE(refetch_klines(session, *core::Symbol::parse("BTCUSDT"), "1m", start, end));
  const auto requests = h.server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].params.at("startTime"), std::to_string(start.millis()));
  EXPECT_EQ(requests[0].params.at("endTime"), std::to_string(end.millis() - 1));
  const auto landed = h.raw.of("klines");
  ASSERT_EQ(landed.size(), 1u);
  EXPECT_NE(landed[0].request.find(R"("repair":true)"), std::string::npos) << landed[0].request;
  EXPECT_EQ(testing::json_array_size(landed[0].payload), 10);
}

}  // namespace
}  // namespace cryptolake::sources::binance
