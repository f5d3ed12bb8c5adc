// /api/v1/live: the live view (serve --live) as one JSON answer (format=json), or as Server-Sent
// Events (the default, what the Live page's EventSource reads): "retry" and the current snapshot
// at once, then an "snapshot" event per newer one, a comment every 15 s of quiet so proxies keep
// the connection, and an end after 5 minutes (the browser reconnects). At most kMaxStreams at
// once: each holds a server thread.
#pragma once

#include <atomic>
#include <memory>

#include "io/http_server.hpp"
#include "serve/live_feed.hpp"

namespace cryptolake::serve {

inline constexpr int kMaxLiveStreams = 8;

// `feed` null: the server runs without the live view (404 saying how to start it).
[[nodiscard]] core::Result<io::ServerResponse> live_answer(const LiveFeed* feed, const io::ServerRequest& request,
                                                           const std::shared_ptr<std::atomic<int>>& open_streams);

}  // namespace cryptolake::serve
