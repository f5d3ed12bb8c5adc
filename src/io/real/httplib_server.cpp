#include "io/real/httplib_server.hpp"

#include <httplib.h>

#include <algorithm>
#include <thread>

namespace cryptolake::io {

HttplibServer::HttplibServer() : server_(std::make_unique<httplib::Server>()) {
  server_->set_tcp_nodelay(true);  // Debian's build lacks it: ~40 ms per keep-alive request otherwise
  // Streamed answers (the Live page's events) hold a thread each: room for them beside the API's requests.
  server_->new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
}

HttplibServer::~HttplibServer() { server_->stop(); }

core::Status HttplibServer::bind(const std::string& host, int port) {
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else {
    port_ = server_->bind_to_port(host, port) ? port : -1;
  }
  if (port_ <= 0) return core::fail(core::ErrorCode::unavailable, "cannot listen on {}:{} (in use or not allowed)", host, port);
  return {};
}

void HttplibServer::listen(RequestHandler handler) {
  const auto adapt = [handler](const httplib::Request& req, httplib::Response& res) {
    ServerRequest request{req.method, req.path, {}, {}, req.body};
    for (const auto& [k, v] : req.params) request.params[k] = v;
    for (const auto& [k, v] : req.headers) {
      std::string name = k;
      std::ranges::transform(name, name.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
      request.headers[name] = v;
    }
    const ServerResponse response = handler(request);
    res.status = response.status;
    for (const auto& [k, v] : response.headers) res.set_header(k, v);
    if (!response.stream) {
      res.set_content(response.body, response.content_type);
      return;
    }
    res.set_chunked_content_provider(response.content_type, [stream = response.stream](size_t, httplib::DataSink& sink) {
      bool written = true;
      const bool more = stream([&](std::string_view part) { return written = sink.write(part.data(), part.size()); });
      if (!written) return false;  // the client went away: drop the connection
      if (!more) sink.done();
      return true;
    });
  };
  server_->Get(".*", adapt);
  server_->Post(".*", adapt);
  // listening_ before stopped_ is read, stopped_ before listening_ in stop(): one of the two sees the other.
  listening_ = true;
  if (!stopped_) server_->listen_after_bind();
  listening_ = false;
}

void HttplibServer::stop() {
  stopped_ = true;
  // cpp-httplib ignores a stop() before its listen loop runs: wait for that loop (or for listen() to end).
  while (listening_ && !server_->is_running()) std::this_thread::yield();
  server_->stop();
}

}  // namespace cryptolake::io
