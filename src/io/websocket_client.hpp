// The port to WebSocket servers: connect to a ws:// or wss:// URL, read text messages with a
// timeout, ping. Implementation: io/real/beast_websocket (Boost.Beast); tests run it against a
// loopback server (plain and TLS), never a mock.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace cryptolake::io {

struct WebSocketOptions {
  std::chrono::milliseconds connect_timeout{10'000};  // TCP, TLS and the WebSocket handshake together
  // Nothing received for this long: the connection is dead (the client pings at half of it, and
  // the server's pings are answered whenever a read is waiting).
  std::chrono::milliseconds idle_timeout{60'000};
  size_t max_message_bytes = 4 << 20;  // a larger message ends the connection
  std::string ca_file;                  // trust these certificates (PEM) instead of the system's
};

// One connection; not thread-safe. Errors: timed_out (no message within the timeout; the
// connection stays usable), unavailable (the connection ended: the reason says how — the
// server's close code and text, or the transport error).
class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  [[nodiscard]] virtual core::Result<std::string> read(std::chrono::milliseconds timeout) = 0;
  [[nodiscard]] virtual core::Status ping() = 0;
  virtual void close() = 0;  // a clean close handshake, bounded in time; errors are ignored
};

class WebSocketClient {
 public:
  virtual ~WebSocketClient() = default;
  // Fails with invalid_argument for a URL that is not ws:// or wss://, unavailable when the host
  // cannot be reached or refuses the handshake, timed_out after options.connect_timeout.
  [[nodiscard]] virtual core::Result<std::unique_ptr<WebSocketConnection>> connect(std::string_view url) = 0;
};

// The parts of a ws:// or wss:// URL.
struct WebSocketUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;  // path and query, "/" at least
};
[[nodiscard]] core::Result<WebSocketUrl> parse_websocket_url(std::string_view url);

}  // namespace cryptolake::io
