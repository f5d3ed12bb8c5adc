// A stand-alone fake Binance for whole-program tests and manual tries:
//   fake_binance_server <history days> <request log file> [<minute offset of a 2-minute gap>]
// prints its base URL and the UTC date its history starts on (one line each), then serves until
// killed. The open times of candles it served while still open go to "<request log>.open".
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "io/real/system_clock.hpp"
#include "support/fake_binance.hpp"

int main(int argc, char** argv) {
  using namespace cryptolake;
  const int days = argc > 1 ? std::stoi(argv[1]) : 3;
  const std::string log_path = argc > 2 ? argv[2] : "/dev/null";
  io::SystemClock clock;
  testing::LoopbackServer server;
  const core::Timestamp now = clock.now();
  const core::Timestamp start = now.day_start() - int64_t{days} * core::Timestamp::kMicrosPerDay;
  testing::FakeBinance fake(server, clock, start);
  if (argc > 3) {
    // A gap the exchange never fills: two minutes it never serves.
    const int64_t first = start.millis() + std::stoll(argv[3]) * 60'000;
    fake.missing_ms = {first, first + 60'000};
  }
  std::printf("%s\n%s\n", server.base_url().c_str(), start.date().c_str());
  std::fflush(stdout);
  size_t logged = 0, open_logged = 0;
  const auto append = [](const std::string& path, const std::vector<int64_t>& values, size_t& written) {
    if (values.size() <= written) return;
    std::ofstream log(path, std::ios::app);
    for (; written < values.size(); ++written) log << values[written] << "\n";
  };
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    append(log_path, fake.start_times(), logged);
    append(log_path + ".open", fake.open_candles_served(), open_logged);
  }
}
