// A real HTTP server on 127.0.0.1 for connector tests: routes answer from recorded fixtures or
// small fakes, and scripted faults (429, 418, 5xx, slow answers, truncated or HTML bodies) are
// served first, in order. Runs its own thread; stops when destroyed.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace cryptolake::testing {

struct LoopbackRequest {
  std::string path;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> headers;  // names lowercased
};

struct LoopbackReply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  int delay_ms = 0;  // answer this late (past a client's read timeout, say)
};

class LoopbackServer {
 public:
  using Handler = std::function<LoopbackReply(const LoopbackRequest&)>;

  LoopbackServer();
  ~LoopbackServer();

  void route(const std::string& path, Handler handler);
  // The next requests to `path` get these replies, one each, before the route answers again.
  void script(const std::string& path, std::vector<LoopbackReply> replies);

  std::string base_url() const;
  std::vector<LoopbackRequest> requests() const;  // every request so far, in order

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::map<std::string, Handler> routes_;
  std::map<std::string, std::vector<LoopbackReply>> scripted_;
  std::vector<LoopbackRequest> log_;
};

// A TCP port on 127.0.0.1 free at the moment of the call (bound to port 0, then let go), for
// a child process to listen on.
int free_loopback_port();

}  // namespace cryptolake::testing
