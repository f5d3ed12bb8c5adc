// A webhook receiver on 127.0.0.1 for end-to-end tests: answers 204 to every request and keeps
// each body. Listens on its own thread from construction until stop() or destruction.
#pragma once

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "io/real/httplib_server.hpp"

namespace cryptolake::testing {

class PostRecorder {
 public:
  PostRecorder();
  ~PostRecorder() { stop(); }
  PostRecorder(const PostRecorder&) = delete;
  PostRecorder& operator=(const PostRecorder&) = delete;

  // http://127.0.0.1:<port>/hook
  std::string url() const;
  // Stops listening (requests in flight are answered first) and returns every body received.
  std::vector<std::string> stop();

 private:
  io::HttplibServer server_;
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::jthread listening_;
};

}  // namespace cryptolake::testing
