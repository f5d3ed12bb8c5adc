// The port for serving HTTP: one handler sees every request. io/real/HttplibServer implements
// it on cpp-httplib; the handler is plain code, testable without sockets.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace cryptolake::io {

struct ServerRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> params;   // query string and form fields
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

// Writes part of a streamed body; false once the client has gone.
using BodyWriter = std::function<bool(std::string_view)>;

struct ServerResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is streamed instead of `body` (Server-Sent Events): called again and again
  // on the request's server thread until it returns false or a write fails.
  std::function<bool(const BodyWriter& write)> stream = {};
};

using RequestHandler = std::function<ServerResponse(const ServerRequest&)>;

// listen() blocks until stop() is called from another thread (a stop() before listen() makes it
// return at once). Handlers run on server threads.
class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // Binds host:port (port 0: any free port, see bound_port()); fails when the address is taken.
  [[nodiscard]] virtual core::Status bind(const std::string& host, int port) = 0;
  virtual int bound_port() const = 0;
  virtual void listen(RequestHandler handler) = 0;
  virtual void stop() = 0;
};

}  // namespace cryptolake::io
