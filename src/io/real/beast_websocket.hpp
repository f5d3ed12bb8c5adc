// io::WebSocketClient on Boost.Beast: ws:// and wss:// (TLS with SNI and host-name verification),
// automatic answers to the server's pings, keep-alive pings of our own, bounded message size.
// Beast stays inside beast_websocket.cpp: it is heavy to compile.
#pragma once

#include <memory>

#include "io/websocket_client.hpp"

namespace cryptolake::io {

[[nodiscard]] std::unique_ptr<WebSocketClient> make_beast_websocket_client(WebSocketOptions options = {});

}  // namespace cryptolake::io
