#include "lake/raw_zone.hpp"

#include <gtest/gtest.h>

#include "lake/local_object_store.hpp"
#include "lake/quarantine.hpp"
#include "io/codec/zstd.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::lake {
namespace {

Envelope envelope(const char* at, std::string payload) {
  return Envelope{*core::Timestamp::parse_iso(at), "binance", "klines", R"({"symbol":"BTCUSDT"})", std::move(payload)};
}

TEST(RawZone, BatchesLandByReceivedHourAndReadBackExactly) {
  testing::TempDir dir;
  LocalObjectStore store(dir.path());
  RawZoneWriter writer(store);
  const std::vector<Envelope> batch = {envelope("2024-05-01T13:59:58.5Z", "[[1,\"0.1\"]]"),
                                       envelope("2024-05-01T14:00:01Z", "{\"x\": \"é🚀\"}")};
  auto key = writer.land(batch);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_TRUE(key->starts_with("raw/binance/klines/dt=2024-05-01/hour=13/20240501T135958-")) << *key;
  EXPECT_TRUE(key->ends_with(".ndjson.zst"));
  RawZoneReader reader(store);
  EXPECT_EQ(*reader.list_batches("binance", "klines"), std::vector<std::string>{*key});
  EXPECT_EQ(*reader.sources_with("klines"), std::vector<std::string>{"binance"});
  EXPECT_EQ(*reader.read_batch(*key),
            "{\"received_at\":\"2024-05-01T13:59:58.500000Z\",\"source\":\"binance\",\"dataset\":\"klines\","
            "\"request\":{\"symbol\":\"BTCUSDT\"},\"payload\":[[1,\"0.1\"]]}\n"
            "{\"received_at\":\"2024-05-01T14:00:01.000000Z\",\"source\":\"binance\",\"dataset\":\"klines\","
            "\"request\":{\"symbol\":\"BTCUSDT\"},\"payload\":{\"x\": \"é🚀\"}}\n");
  // Same content, same name: a retried write does not duplicate the batch.
  EXPECT_EQ(*writer.land(batch), *key);
  EXPECT_EQ(reader.list_batches("binance", "klines")->size(), 1u);
}

TEST(RawZone, RefusesBatchesThatWouldBreakTheFormat) {
  testing::TempDir dir;
  LocalObjectStore store(dir.path());
  RawZoneWriter writer(store);
  EXPECT_FALSE(writer.land({}));
  EXPECT_FALSE(writer.land(std::vector<Envelope>{envelope("2024-05-01T00:00:00Z", "[1,\n2]")}));
  std::vector<Envelope> mixed = {envelope("2024-05-01T00:00:00Z", "[]"), envelope("2024-05-01T00:00:00Z", "[]")};
  mixed[1].source = "coincap";
  EXPECT_FALSE(writer.land(mixed));
  EXPECT_TRUE(store.list("raw/")->empty());
}

TEST(RawZone, CorruptBatchIsAnErrorNotACrash) {
  testing::TempDir dir;
  LocalObjectStore store(dir.path());
  ASSERT_TRUE(store.put("raw/x/klines/dt=2024-01-01/hour=00/bad.ndjson.zst", "definitely not zstd"));
  auto text = RawZoneReader(store).read_batch("raw/x/klines/dt=2024-01-01/hour=00/bad.ndjson.zst");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, core::ErrorCode::corrupt_data);
}

TEST(Zstd, RoundTripsLargeInput) {
  std::string input;
  for (int i = 0; i < 100000; ++i) input += std::to_string(i * 7919) + ",";
  EXPECT_EQ(*io::zstd_decompress(io::zstd_compress(input)), input);
}

TEST(Quarantine, OneObjectPerStageAndRawBatchReplacedOnRerunNeverErasedByAScanThatRejectsNothing) {
  testing::TempDir dir;
  LocalObjectStore store(dir.path());
  const std::string raw_key = "raw/sim/klines/dt=2024-01-02/hour=05/20240102T050002-00ff.ndjson.zst";
  ASSERT_TRUE(write_quarantine(store, "market_ohlcv", "sim", "klines", raw_key, {{"bad \"row\"", raw_key, 3, "[1,2]"}}));
  const std::string key = quarantine_key("market_ohlcv", "sim", "klines", raw_key);
  EXPECT_EQ(key, "quarantine/sim/klines/dt=2024-01-02/stage=market_ohlcv/20240102T050002-00ff.ndjson.zst");
  EXPECT_EQ(*io::zstd_decompress(*store.get(key)),
            "{\"reason\":\"bad \\\"row\\\"\",\"raw_batch\":\"" + raw_key + "\",\"line\":3,\"record\":\"[1,2]\"}\n");
  // Another stage reading the same batch keeps its own object; rejecting nothing touches nothing.
  ASSERT_TRUE(write_quarantine(store, "dim_coin", "sim", "klines", raw_key, {{"other", raw_key, 1, "{}"}}));
  ASSERT_TRUE(write_quarantine(store, "market_ohlcv", "sim", "klines", raw_key, {}));
  ASSERT_TRUE(write_quarantine(store, "dim_coin", "sim", "klines", raw_key, {}));
  EXPECT_EQ(store.list("quarantine/")->size(), 2u);
  // A re-run of the stage replaces its object.
  ASSERT_TRUE(write_quarantine(store, "market_ohlcv", "sim", "klines", raw_key, {{"again", raw_key, 4, "[3]"}}));
  EXPECT_EQ(*io::zstd_decompress(*store.get(key)), "{\"reason\":\"again\",\"raw_batch\":\"" + raw_key + "\",\"line\":4,\"record\":\"[3]\"}\n");
  EXPECT_EQ(store.list("quarantine/")->size(), 2u);
}

}  // namespace
}  // namespace cryptolake::lake
