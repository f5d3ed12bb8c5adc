#include "support/post_recorder.hpp"

#include <stdexcept>

namespace cryptolake::testing {

PostRecorder::PostRecorder() {
  if (!server_.bind("127.0.0.1", 0)) throw std::runtime_error("cannot bind a loopback port");
  listening_ = std::jthread([this] {
    server_.listen([this](const io::ServerRequest& r) {
      std::lock_guard lock(mutex_);
      bodies_.push_back(r.body);
      return io::ServerResponse{204, "text/plain", "", {}};
    });
  });
}

std::string PostRecorder::url() const { return "http://127.0.0.1:" + std::to_string(server_.bound_port()) + "/hook"; }

std::vector<std::string> PostRecorder::stop() {
  server_.stop();
  if (listening_.joinable()) listening_.join();
  std::lock_guard lock(mutex_);
  return bodies_;
}

}  // namespace cryptolake::testing
