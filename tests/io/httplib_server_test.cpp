#include "io/real/httplib_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

namespace cryptolake::io {
namespace {

// cpp-httplib ignores a stop() that comes before its listen loop runs; ours must not hang.
TEST(HttplibServer, AStopBeforeListenMakesListenReturn) {
  for (int round = 0; round < 20; ++round) {
    HttplibServer server;
    ASSERT_TRUE(server.bind("127.0.0.1", 0));
    auto listening = std::async(std::launch::async, [&] { server.listen([](const ServerRequest&) { return ServerResponse{}; }); });
    server.stop();  // races with listen() starting: before, during or after
    ASSERT_EQ(listening.wait_for(std::chrono::seconds(10)), std::future_status::ready) << "round " << round;
  }
}

}  // namespace
}  // namespace cryptolake::io
