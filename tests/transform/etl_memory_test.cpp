// The etl's memory budget is honoured: an input larger than the process may use lands when its
// candles wait on disk, and the same input under the same limit fails when held whole. Each run is
// a child process under `ulimit -v` (RLIMIT_AS), measured from what the child has mapped before it.
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

namespace cryptolake::transform {
namespace {

constexpr size_t kHeadroom = size_t{100} << 20;  // what the child may map beyond its start

size_t mapped_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmSize:")) return std::stoull(line.substr(7)) * 1024;
  }
  return 0;
}

// 52 days of 1-minute candles for 8 symbols (~600 k rows, ~150 MB held whole), one envelope a day.
void land_candles(lake::ObjectStore& store) {
  lake::RawZoneWriter writer(store);
  constexpr int64_t kStartMs = 1'704'067'200'000;  // 2024-01-01
  for (int day = 0; day < 52; ++day) {
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

// Runs the etl in a child limited to what it has mapped plus kHeadroom: 0 when it landed every
// row, 1 on an error, 2 when an allocation failed, -signal when it died.
int etl_under_limit(const std::filesystem::path& lake, size_t memory_bytes) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    mallopt(M_ARENA_MAX, 1);  // one heap: per-thread arenas reserve 64 MB of addresses each
    try {
      lake::LocalObjectStore store(lake);
      auto duckdb = lake::DuckDb::open({lake, 2, "32MB"});
      if (!duckdb) ::_exit(1);
      const rlimit limit{mapped_bytes() + kHeadroom, RLIM_INFINITY};
      if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(1);
      auto stats = run_market_ohlcv_etl(store, **duckdb, {.threads = 2, .progress = {}, .memory_bytes = memory_bytes});
      ::_exit(stats && stats->rows_out == 52u * 8 * 1440 ? 0 : 1);
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
  if (kUnderAddressSanitizer) GTEST_SKIP() << "AddressSanitizer reserves terabytes of addresses: no address-space limit fits it";
  testing::TempDir dir;
  {
    lake::LocalObjectStore store(dir.path());
    land_candles(store);
  }
  EXPECT_EQ(etl_under_limit(dir.path(), size_t{8} << 20), 0) << "within an 8 MB budget the run fits the limit";
  EXPECT_NE(etl_under_limit(dir.path(), size_t{1} << 30), 0) << "held whole, the same candles do not";
}

}  // namespace
}  // namespace cryptolake::transform
