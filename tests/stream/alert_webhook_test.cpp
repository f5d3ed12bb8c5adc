#include "stream/alert_webhook.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <mutex>
#include <thread>

#include <simdjson.h>

#include "io/manual_clock.hpp"
#include "io/real/curl_http_client.hpp"
#include "io/real/httplib_server.hpp"
#include "stream/silence_watch.hpp"

namespace cryptolake::stream {
namespace {

// A loopback receiver: answers each POST with the next status of `script` (then 200), keeps the bodies.
class Receiver {
 public:
  explicit Receiver(std::vector<int> script, std::function<void()> before_answer = {}) : script_(std::move(script)), before_(std::move(before_answer)) {
    EXPECT_TRUE(server_.bind("127.0.0.1", 0));
    listening_ = std::jthread([this] {
      server_.listen([this](const io::ServerRequest& r) {
        if (before_) before_();
        std::lock_guard lock(mutex_);
        bodies_.push_back(r.body);
        types_.push_back(r.headers.contains("content-type") ? r.headers.at("content-type") : "");
        const int status = bodies_.size() <= script_.size() ? script_[bodies_.size() - 1] : 200;
        return io::ServerResponse{status, "text/plain", "ok", {}};
      });
    });
  }
  ~Receiver() { server_.stop(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.bound_port()) + "/hook"; }
  std::vector<std::string> bodies() const { std::lock_guard lock(mutex_); return bodies_; }
  std::vector<std::string> types() const { std::lock_guard lock(mutex_); return types_; }

 private:
  std::vector<int> script_;
  std::function<void()> before_;
  mutable std::mutex mutex_;
  std::vector<std::string> bodies_, types_;
  io::HttplibServer server_;
  std::jthread listening_;
};

core::WebhookConfig hook(const std::string& url, int attempts = 4, int64_t queue = 100) {
  return {.url = url, .timeout_ms = 2'000, .attempts = attempts, .queue = queue};
}

const core::Timestamp kStart = *core::Timestamp::parse_iso("2026-01-01T00:00:00Z");

TEST(AlertWebhook, APostFailingWith5xxIsRetriedUntilItIsDelivered) {
  Receiver receiver({503, 502});
  io::CurlHttpClient http;
  io::ManualClock clock(kStart, true);  // backoff waits pass at once
  AlertWebhook webhook(http, clock, hook(receiver.url()));
  const analytics::AlertRow alert{"btc-jump", "price_move", "simulator", "BTC-USDT", kStart.micros(), 2.5, 2.0, "BTC-USDT moved \"+2.50 %\""};
  webhook.post(alerts_json({&alert, 1}, 3));
  ASSERT_TRUE(webhook.drain(std::chrono::seconds(20)));
  const auto stats = webhook.stats();
  EXPECT_EQ(stats.sent, 1u);
  EXPECT_EQ(stats.retries, 2u);
  EXPECT_EQ(stats.failed, 0u);
  const auto bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_EQ(bodies[0], bodies[2]);
  EXPECT_EQ(receiver.types()[0], "application/json");
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(bodies[2]);
  EXPECT_EQ(std::string_view(doc["alerts"].at(0)["rule"]), "btc-jump");
  EXPECT_EQ(std::string_view(doc["alerts"].at(0)["message"]), "BTC-USDT moved \"+2.50 %\"");
  EXPECT_EQ(std::string_view(doc["alerts"].at(0)["alert_time"]), kStart.iso());
  EXPECT_EQ(double(doc["alerts"].at(0)["value"]), 2.5);
  EXPECT_EQ(int64_t(doc["total"]), 3);
  EXPECT_EQ(int64_t(doc["more"]), 2);
}

TEST(AlertWebhook, ARefusalIsNotRetriedAndNobodyListeningIsGivenUpAfterTheAttempts) {
  Receiver receiver({400});
  io::CurlHttpClient http;
  io::ManualClock clock(kStart, true);
  AlertWebhook refused(http, clock, hook(receiver.url()));
  refused.post("{}");
  ASSERT_TRUE(refused.drain(std::chrono::seconds(20)));
  EXPECT_EQ(refused.stats().failed, 1u);
  EXPECT_EQ(receiver.bodies().size(), 1u);

  std::string closed_url;
  {
    Receiver gone({});
    closed_url = gone.url();
  }
  AlertWebhook nobody(http, clock, hook(closed_url, 3));
  nobody.post("{}");
  ASSERT_TRUE(nobody.drain(std::chrono::seconds(20)));
  EXPECT_EQ(nobody.stats().failed, 1u);
  EXPECT_EQ(nobody.stats().retries, 2u);
}

// A receiver that hangs does not hold up post(); past the queue's size the oldest waiting posts go.
TEST(AlertWebhook, ASlowReceiverNeverBlocksAndTheNewestPostsAreKept) {
  std::latch release(1);
  std::atomic<int> arrived = 0;
  Receiver receiver({}, [&] { ++arrived; release.wait(); });
  io::CurlHttpClient http;
  io::ManualClock clock(kStart, true);
  AlertWebhook webhook(http, clock, hook(receiver.url(), 1, 2));
  webhook.post("{\"n\":0}");
  for (int i = 0; i < 200 && arrived == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(arrived, 1) << "the first post is with the receiver";
  for (int n = 1; n <= 5; ++n) webhook.post(fmt::format("{{\"n\":{}}}", n));  // returns while the receiver hangs
  EXPECT_EQ(webhook.stats().dropped, 3u);
  release.count_down();
  ASSERT_TRUE(webhook.drain(std::chrono::seconds(20)));
  EXPECT_EQ(receiver.bodies(), (std::vector<std::string>{"{\"n\":0}", "{\"n\":4}", "{\"n\":5}"}));
  EXPECT_EQ(webhook.stats().sent, 3u);
}

TEST(SilenceWatch, OneAlertPerSilenceOnTheClock) {
  io::ManualClock clock(kStart);
  StreamMetrics metrics;
  const std::vector<core::AlertRuleConfig> rules = {
      {.name = "quiet", .kind = "stream_silent", .seconds = 30},
      {.name = "jump", .kind = "price_move", .percent = 1, .minutes = 5},  // not this watch's
  };
  SilenceWatch watch(rules, metrics, clock, nullptr);
  ASSERT_FALSE(watch.empty());
  clock.advance(29'000'000);
  EXPECT_TRUE(watch.check().empty());
  clock.advance(1'000'000);
  auto raised = watch.check();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].rule, "quiet");
  EXPECT_EQ(raised[0].kind, "stream_silent");
  EXPECT_EQ(raised[0].value, 30.0);
  clock.advance(60'000'000);
  EXPECT_TRUE(watch.check().empty()) << "the same silence alerts once";

  metrics.landed("ws_kline", 10);  // records flow again
  EXPECT_TRUE(watch.check().empty());
  clock.advance(30'000'000);
  EXPECT_EQ(watch.check().size(), 1u) << "a new silence, a new alert";
  EXPECT_NE(metrics.prometheus().find("cryptolake_stream_alerts_total{rule=\"quiet\"} 2"), std::string::npos) << metrics.prometheus();
}

}  // namespace
}  // namespace cryptolake::stream
