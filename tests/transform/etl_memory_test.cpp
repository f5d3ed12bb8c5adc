// The etl's memory budget is honoured: an input larger than the process may use lands when its
// candles (or posts) wait on disk, and the same input under the same limit fails when held whole. Each run is
// a child process under `ulimit -d` (RLIMIT_DATA), measured from the data the child has mapped before it.
// Not `ulimit -v`: a forked child inherits the malloc arenas earlier tests' threads reserved (64 MB
// of addresses each, counted already), and filling them maps no new addresses, so the limit moved
// with the tests that ran before; making a reserved page writable counts against RLIMIT_DATA.
#include <gtest/gtest.h>

#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <new>
#include <string>

#include "lake/local_object_store.hpp"
#include "lake/raw_zone.hpp"
#include "support/temp_dir.hpp"
#include "transform/market_ohlcv_etl.hpp"
#include "transform/posts_etl.hpp"

namespace cryptolake::transform {
namespace {

enum class Stage { candles, posts };

// What the child may map beyond its start: the posts' run also holds a key per post (~40 bytes)
// and DuckDB writes wider rows.
size_t headroom(Stage stage) { return (stage == Stage::candles ? size_t{100} : size_t{160}) << 20; }

size_t data_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmData:")) return std::stoull(line.substr(7)) * 1024;
  }
  return 0;
}

// 80 days of 1-minute candles for 8 symbols (~920 k rows, ~230 MB held whole: well past the
// limit, where 52 days once fitted it), one envelope a day.
constexpr int kCandleDays = 80;
void land_candles(lake::ObjectStore& store) {
  lake::RawZoneWriter writer(store);
  constexpr int64_t kStartMs = 1'704'067'200'000;  // 2024-01-01
  for (int day = 0; day < kCandleDays; ++day) {
    std::vector<core::Envelope> envelopes;
    for (const char* symbol : {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT", "AVAXUSDT"}) {
      std::string payload = "[";
      for (int m = 0; m < 1440; ++m) {
        const int64_t open = kStartMs + (day * 1440LL + m) * 60'000;
        payload += fmt::format(R"({}[{},"1.5","2.5","1.0","2.0","10.0",{},"15.0",3,"4.0","6.0","0"])", m ? "," : "", open, open + 59'999);
      }
      payload += "]";
      envelopes.push_back({core::Timestamp::from_micros((kStartMs + (day + 1) * 86'400'000LL) * 1000 + 5'000'000), "binance", "klines",
                           fmt::format(R"({{"symbol":"{}","interval":"1m"}})", symbol), std::move(payload)});
    }
    ASSERT_TRUE(writer.land(envelopes));
  }
}

// 90 days of 5,000 tweets (450 k posts, ~300 MB held whole), 500 to an envelope.
constexpr int kPostDays = 90;
constexpr size_t kPosts = kPostDays * 5'000;
void land_posts(lake::ObjectStore& store) {
  lake::RawZoneWriter writer(store);
  for (int day = 0; day < kPostDays; ++day) {
    for (int page = 0; page < 10; ++page) {
      std::string data;
      for (int i = 0; i < 500; ++i) {
        const int n = (day * 10 + page) * 500 + i;
        const auto created = core::Timestamp::from_seconds(1'704'067'200 + day * 86'400 + i * 97);
        data += fmt::format(R"({}{{"id":"{}","author_id":"{}","created_at":"{}","text":"$BTC and $ETH post number {} )"
                            R"(with enough words to be a real post about the market today #crypto","public_metrics":{{"like_count":{}}}}})",
                            i ? "," : "", 1'000'000 + n, n % 997, created.iso(), n, n % 50);
      }
      const auto received = core::Timestamp::from_millis(1'704'067'200'000 + (day + 1) * 86'400'000LL);
      ASSERT_TRUE(writer.land(std::vector<core::Envelope>{
          {received, "x", "tweets", "{}", fmt::format(R"({{"data":[{}],"meta":{{"result_count":500}}}})", data)}}));
    }
  }
}

// Runs a stage of the etl in a child limited to the data it has mapped plus its headroom: 0 when it
// landed every row, 1 on an error, 2 when an allocation failed, -signal when it died.
int etl_under_limit(const std::filesystem::path& lake, size_t memory_bytes, Stage stage) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    mallopt(M_ARENA_MAX, 1);  // one heap: per-thread arenas reserve 64 MB of addresses each
    try {
      lake::LocalObjectStore store(lake);
      auto duckdb = lake::DuckDb::open({lake, 2, "32MB"});
      if (!duckdb) ::_exit(1);
      const rlimit limit{data_bytes() + headroom(stage), RLIM_INFINITY};
      if (::setrlimit(RLIMIT_DATA, &limit) != 0) ::_exit(1);
      const EtlOptions options{.threads = 2, .progress = {}, .memory_bytes = memory_bytes};
      const bool posts = stage == Stage::posts;
      auto stats = posts ? run_posts_etl(store, **duckdb, options) : run_market_ohlcv_etl(store, **duckdb, options);
      ::_exit(stats && stats->rows_out == (posts ? kPosts : size_t{kCandleDays} * 8 * 1440) ? 0 : 1);
    } catch (const std::bad_alloc&) {
      ::_exit(2);
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUnderAddressSanitizer = true;
#else
constexpr bool kUnderAddressSanitizer = false;
#endif

TEST(EtlMemory, AnInputLargerThanTheLimitLandsWithinABudgetAndFailsHeldWhole) {
  if (kUnderAddressSanitizer) GTEST_SKIP() << "AddressSanitizer maps terabytes of shadow memory: no data limit fits it";
  testing::TempDir dir;
  {
    lake::LocalObjectStore store(dir.path());
    land_candles(store);
  }
  EXPECT_EQ(etl_under_limit(dir.path(), size_t{8} << 20, Stage::candles), 0) << "within an 8 MB budget the run fits the limit";
  EXPECT_NE(etl_under_limit(dir.path(), size_t{1} << 30, Stage::candles), 0) << "held whole, the same candles do not";
}

TEST(EtlMemory, PostsLargerThanTheLimitLandWithinABudgetAndFailHeldWhole) {
  if (kUnderAddressSanitizer) GTEST_SKIP() << "AddressSanitizer maps terabytes of shadow memory: no data limit fits it";
  testing::TempDir dir;
  {
    lake::LocalObjectStore store(dir.path());
    land_posts(store);
  }
  EXPECT_EQ(etl_under_limit(dir.path(), size_t{16} << 20, Stage::posts), 0) << "within a 16 MB budget the run fits the limit";
  EXPECT_NE(etl_under_limit(dir.path(), size_t{1} << 30, Stage::posts), 0) << "held whole, the same posts do not";
}

}  // namespace
}  // namespace cryptolake::transform
