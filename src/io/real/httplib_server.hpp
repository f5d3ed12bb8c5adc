// HttpServer on cpp-httplib: keep-alive, TCP_NODELAY, gzip when the client accepts it.
#pragma once

#include <atomic>
#include <memory>

#include "io/http_server.hpp"

namespace httplib {
class Server;
}

namespace cryptolake::io {

class HttplibServer final : public HttpServer {
 public:
  HttplibServer();
  ~HttplibServer() override;
  core::Status bind(const std::string& host, int port) override;
  int bound_port() const override { return port_; }
  void listen(RequestHandler handler) override;
  void stop() override;

 private:
  std::unique_ptr<httplib::Server> server_;
  static constexpr size_t kThreads = 24;
  int port_ = 0;
  std::atomic<bool> listening_ = false, stopped_ = false;
};

}  // namespace cryptolake::io
