// Hot inner loops in isolation: the kline parser on a simulated 1000-row page, the rolling
// feature pass, and raw-batch decompression. Each checks its output before it is timed.
#include <benchmark/benchmark.h>

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "analytics/rolling_features.hpp"
#include "analytics/rolling_windows.hpp"
#include "analytics/sentiment_scorer.hpp"
#include "lake/local_object_store.hpp"
#include "lake/raw_zone.hpp"
#include "io/codec/zstd.hpp"
#include "sources/binance/kline_parser.hpp"
#include "sources/simulator/simulator.hpp"
#include "sources/social/post_file_parser.hpp"

namespace {

using namespace cryptolake;

// One simulated backfill page of 1000 BTC klines, as the raw zone stores it.
const std::string& sample_page() {
  static const std::string page = [] {
    const auto dir = std::filesystem::temp_directory_path() / "cryptolake-micro-bench";
    std::filesystem::remove_all(dir);
    lake::LocalObjectStore store(dir);
    lake::RawZoneWriter writer(store);
    sources::simulator::SimulationOptions options;
    options.config.days = 1;
    options.config.symbols = {"BTC-USDT"};
    options.config.malformed_rate = 0;
    options.config.duplicate_rate = 0;
    options.config.late_rate = 0;
    options.page_minutes = 1000;
    options.posts = false;
    if (!run_simulation(options, writer)) throw std::runtime_error("simulation failed");
    const auto keys = *store.list("raw/");
    std::string text = *lake::RawZoneReader(store).read_batch(keys.front());
    std::filesystem::remove_all(dir);
    const size_t start = text.find("\"payload\":") + 10;
    return text.substr(start, text.rfind('}') - start);
  }();
  return page;
}

void BM_ParseKlinePage(benchmark::State& state) {
  const simdjson::padded_string json(sample_page());
  simdjson::dom::parser parser;
  const sources::binance::KlineContext context{"simulator", *core::Symbol::parse("BTCUSDT"), "1m", {}};
  std::vector<core::Kline> klines;
  std::vector<sources::binance::RejectedRow> rejected;
  if (!parse_rest_klines(parser.parse(json), context, klines, rejected) || klines.size() != 1000 || !rejected.empty()) {
    state.SkipWithError("reference parse failed");
    return;
  }
  for (auto _ : state) {
    klines.clear();
    simdjson::dom::element doc;
    if (parser.parse(json).get(doc)) state.SkipWithError("parse error");
    benchmark::DoNotOptimize(parse_rest_klines(doc, context, klines, rejected));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 1000);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_ParseKlinePage);

void BM_RollingFeatures(benchmark::State& state) {
  std::vector<double> closes;
  for (int i = 0; i < 100000; ++i) closes.push_back(100 + std::sin(i * 0.01) * 5 + (i % 7) * 0.01);
  const auto check = analytics::rolling_features(closes, 20, 20);
  if (std::abs(check[10].ma_5 - (closes[6] + closes[7] + closes[8] + closes[9] + closes[10]) / 5) > 1e-9) {
    state.SkipWithError("reference moving average differs");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(analytics::rolling_features(closes, 20, 20));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * closes.size()));
}
BENCHMARK(BM_RollingFeatures);

// The stream's rolling windows: every event updates the 1-, 5- and 60-minute windows of its
// symbol (events 100 ms apart, so the hour holds 36,000). Items: events.
void BM_RollingWindows(benchmark::State& state) {
  std::vector<analytics::WindowEvent> events;
  for (int i = 0; i < 200000; ++i) {
    events.push_back({int64_t{i} * 100'000, 100 + std::sin(i * 0.001) * 5 + (i % 7) * 0.01, 0.1 + (i % 5), 1});
  }
  {
    analytics::RollingWindow check(60'000'000);
    for (const auto& e : events) check.add(e);
    if (check.stats().count != 600) {
      state.SkipWithError("a minute of events at 100 ms is not 600");
      return;
    }
  }
  for (auto _ : state) {
    analytics::RollingWindow minute(60'000'000), five(300'000'000), hour(3'600'000'000);
    for (const auto& e : events) {
      minute.add(e);
      five.add(e);
      hour.add(e);
    }
    benchmark::DoNotOptimize(hour.stats());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
}
BENCHMARK(BM_RollingWindows);

void BM_DecompressRawBatch(benchmark::State& state) {
  std::string text;
  for (int i = 0; i < 20; ++i) text += sample_page() + "\n";
  const std::string frame = io::zstd_compress(text);
  if (*io::zstd_decompress(frame) != text) {
    state.SkipWithError("round trip differs");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(io::zstd_decompress(frame));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_DecompressRawBatch);

// ~140-character crypto posts, the length the scoring goal is stated for.
void BM_ScoreSentiment(benchmark::State& state) {
  const std::vector<std::string> posts = {
      "$BTC breaking out above resistance, this looks very bullish, volume is strong and funding is flat 🚀 #bitcoin",
      "Not buying $ETH here, the chart is ugly and bearish, another dump is coming, I got rekt last time #crypto",
      "What do you think about $SOL this week? Network activity report is out, no clear direction on the chart yet",
      "HODL $DOGE, wagmi 💎 the dip was bought fast, but I am slightly worried about the weekend liquidity!!",
  };
  const analytics::LexiconSentimentScorer scorer;
  if (!(scorer.score(posts[0]).compound > 0 && scorer.score(posts[1]).compound < 0)) {
    state.SkipWithError("reference scores have the wrong sign");
    return;
  }
  size_t bytes = 0;
  for (const auto& p : posts) bytes += p.size();
  for (auto _ : state) {
    for (const auto& p : posts) benchmark::DoNotOptimize(scorer.score(p));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * posts.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_ScoreSentiment);

// 100,000 rows of a scraper's posts export, read into posts on one thread and handed to a sink.
void BM_ReadPostsCsv(benchmark::State& state) {
  std::string csv = "id,author,created_at,text,likes,retweets\n";
  for (int i = 0; i < 100'000; ++i) {
    csv += fmt::format("{},trader{},2024-01-{:02}T{:02}:{:02}:07Z,\"$BTC breaking out above resistance #{} \"\"bullish\"\", volume is "
                       "strong and funding is flat, wagmi\",{},{}\n",
                       1'740'000'000'000'000'000 + i, i % 977, 1 + i % 28, i % 24, i % 60, i, i % 50, i % 9);
  }
  sources::social::PostFileOptions options;
  options.threads = 1;
  size_t posts = 0;
  const sources::social::PostSink sink = [&](const sources::social::PostBatch& batch) -> core::Status {
    posts += batch.posts.size();
    return {};
  };
  for (auto _ : state) {
    posts = 0;
    if (!sources::social::parse_post_file(csv, options, core::Timestamp{}, sink) || posts != 100'000) {
      state.SkipWithError("not every row became a post");
      return;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 100'000));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * csv.size()));
}
BENCHMARK(BM_ReadPostsCsv)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
