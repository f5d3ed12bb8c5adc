#include "cli/interrupt.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

namespace cryptolake::cli {

namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_signal(int) { interrupted = true; }

}  // namespace

std::stop_token interrupt_token() {
  static std::stop_source source;
  // request_stop() is not async-signal-safe: a watcher thread turns the flag into a request.
  static std::jthread watcher([](std::stop_token own) {
    while (!own.stop_requested() && !interrupted) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (interrupted) source.request_stop();
  });
  static const bool installed = [] {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    return true;
  }();
  (void)installed;
  return source.get_token();
}

}  // namespace cryptolake::cli
