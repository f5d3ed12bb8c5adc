// A real WebSocket server on 127.0.0.1 (plain or TLS) for tests of live sources: each accepted
// connection plays its script — send messages, ping, drop the TCP connection, close with a code —
// then waits for the client to close. Counts connections, the targets asked for and the pongs
// received. Runs its own threads; stops when destroyed.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cryptolake::testing {

struct WsStep {
  enum class Kind { send, ping, drop, close };
  Kind kind = Kind::send;
  std::string text;  // the message to send, or the close reason
  static WsStep send(std::string message) { return {Kind::send, std::move(message)}; }
  static WsStep ping() { return {Kind::ping, {}}; }
  static WsStep drop() { return {Kind::drop, {}}; }
  static WsStep close(std::string reason = {}) { return {Kind::close, std::move(reason)}; }
};
using WsScript = std::vector<WsStep>;

class WsReplayServer {
 public:
  // Connection i plays scripts[i]; later connections play nothing and just stay open.
  WsReplayServer(bool tls, std::vector<WsScript> scripts);
  ~WsReplayServer();
  WsReplayServer(const WsReplayServer&) = delete;
  WsReplayServer& operator=(const WsReplayServer&) = delete;

  std::string base_url() const;  // ws://127.0.0.1:PORT or wss://…
  size_t connections() const { return connections_; }
  size_t pongs() const { return pongs_; }
  std::vector<std::string> targets() const;

  // The certificate a client must trust for the TLS server.
  static std::string certificate_file();
  static std::string untrusted_certificate_file();

 private:
  struct Impl;
  void serve(size_t index, void* socket);
  std::unique_ptr<Impl> impl_;
  std::vector<WsScript> scripts_;
  bool tls_;
  unsigned short port_ = 0;
  std::atomic<size_t> connections_{0};
  std::atomic<size_t> pongs_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> targets_;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::vector<std::thread> sessions_;
};

}  // namespace cryptolake::testing
