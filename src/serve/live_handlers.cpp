#include "serve/live_handlers.hpp"

#include <chrono>

#include <fmt/format.h>

#include "serve/api_params.hpp"

namespace cryptolake::serve {

namespace {

constexpr auto kQuiet = std::chrono::seconds(15);
constexpr auto kStreamLength = std::chrono::minutes(5);

std::string event(const LiveSnapshot& s) { return fmt::format("id: {}\nevent: snapshot\ndata: {}\n\n", s.version, s.json); }

}  // namespace

core::Result<io::ServerResponse> live_answer(const LiveFeed* feed, const io::ServerRequest& request,
                                             const std::shared_ptr<std::atomic<int>>& open_streams) {
  if (feed == nullptr) {
    return core::fail(core::ErrorCode::not_found, "this server has no live view: start it with `cryptolake serve --live` beside a running stream");
  }
  const std::string format = param(request, "format", "events");
  if (format == "json") {
    const LiveSnapshot now = feed->latest();
    return io::ServerResponse{200, "application/json", (now.version ? now.json : "{\"series\":[]}") + "\n", {{"Cache-Control", "no-cache"}}};
  }
  if (format != "events") return core::fail(core::ErrorCode::invalid_argument, "format: expected events (Server-Sent Events) or json");
  if (open_streams->fetch_add(1) >= kMaxLiveStreams) {
    open_streams->fetch_sub(1);
    return core::fail(core::ErrorCode::unavailable, "too many live streams open ({}); close one or use format=json", kMaxLiveStreams);
  }
  // Closes this stream's place when the last copy of the body callback goes.
  const std::shared_ptr<void> place(nullptr, [open_streams](void*) { open_streams->fetch_sub(1); });
  io::ServerResponse response{200, "text/event-stream", "", {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}}};
  response.stream = [feed, place, seen = uint64_t{0}, started = std::chrono::steady_clock::now(), first = true](const io::BodyWriter& write) mutable {
    if (first) {
      first = false;
      const LiveSnapshot now = feed->latest();
      seen = now.version;
      return write("retry: 2000\n\n") && (now.version == 0 || write(event(now)));
    }
    if (feed->closed() || std::chrono::steady_clock::now() - started > kStreamLength) return false;
    const auto next = feed->wait_newer(seen, kQuiet);
    if (!next) return !feed->closed() && write(": quiet\n\n");
    seen = next->version;
    return write(event(*next));
  };
  return response;
}

}  // namespace cryptolake::serve
