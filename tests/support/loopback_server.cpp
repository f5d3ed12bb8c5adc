#include "support/loopback_server.hpp"

#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

namespace cryptolake::testing {

LoopbackServer::LoopbackServer() : server_(std::make_unique<httplib::Server>()) {
  server_->set_tcp_nodelay(true);  // Debian's cpp-httplib is built without it: ~40 ms per keep-alive request otherwise
  // Stopping waits for idle keep-alive connections to time out (curl keeps one per thread), 5 s
  // by default: a test would sit idle that long after its last request.
  server_->set_keep_alive_timeout(1);
  server_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    LoopbackRequest request{req.path, {}, {}};
    for (const auto& [k, v] : req.params) request.params[k] = v;
    for (const auto& [k, v] : req.headers) {
      std::string name = k;
      std::ranges::transform(name, name.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
      request.headers[name] = v;
    }
    LoopbackReply reply;
    Handler handler;
    bool scripted = false;
    {
      std::lock_guard lock(mutex_);
      log_.push_back(request);
      if (auto it = scripted_.find(req.path); it != scripted_.end() && !it->second.empty()) {
        reply = it->second.front();
        it->second.erase(it->second.begin());
        scripted = true;
      } else if (auto route = routes_.find(req.path); route != routes_.end()) {
        handler = route->second;
      }
    }
    if (!scripted) {
      if (handler) {
        reply = handler(request);
      } else {
        reply.status = 404;
        reply.body = R"({"code":-1,"msg":"no such route"})";
      }
    }
    if (reply.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(reply.delay_ms));
    res.status = reply.status;
    for (const auto& [k, v] : reply.headers) res.set_header(k, v);
    res.set_content(reply.body, reply.content_type);
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

LoopbackServer::~LoopbackServer() {
  server_->stop();
  thread_.join();
}

void LoopbackServer::route(const std::string& path, Handler handler) {
  std::lock_guard lock(mutex_);
  routes_[path] = std::move(handler);
}

void LoopbackServer::script(const std::string& path, std::vector<LoopbackReply> replies) {
  std::lock_guard lock(mutex_);
  auto& queue = scripted_[path];
  queue.insert(queue.end(), replies.begin(), replies.end());
}

std::string LoopbackServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<LoopbackRequest> LoopbackServer::requests() const {
  std::lock_guard lock(mutex_);
  return log_;
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

}  // namespace cryptolake::testing
