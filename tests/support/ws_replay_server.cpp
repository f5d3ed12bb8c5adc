#include "support/ws_replay_server.hpp"

#include <utility>  // before Asio

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace cryptolake::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct WsReplayServer::Impl {
  asio::io_context context;
  ssl::context tls{ssl::context::tls_server};
  tcp::acceptor acceptor{context};
  std::mutex mutex;
  std::vector<std::shared_ptr<tcp::socket>> sockets;  // closed on stop, to end blocked reads
};

std::string WsReplayServer::certificate_file() { return CRYPTOLAKE_TEST_DATA_DIR "/tls/loopback-cert.pem"; }
std::string WsReplayServer::untrusted_certificate_file() { return CRYPTOLAKE_TEST_DATA_DIR "/tls/other-cert.pem"; }

WsReplayServer::WsReplayServer(bool tls, std::vector<WsScript> scripts) : impl_(std::make_unique<Impl>()), scripts_(std::move(scripts)), tls_(tls) {
  if (tls_) {
    impl_->tls.use_certificate_chain_file(certificate_file());
    impl_->tls.use_private_key_file(CRYPTOLAKE_TEST_DATA_DIR "/tls/loopback-key.pem", ssl::context::pem);
  }
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  acceptor_ = std::thread([this] {
    for (size_t index = 0; !stopping_; ++index) {
      auto socket = std::make_shared<tcp::socket>(impl_->context);
      beast::error_code error;
      impl_->acceptor.accept(*socket, error);
      if (error || stopping_) return;
      std::lock_guard lock(impl_->mutex);
      impl_->sockets.push_back(socket);
      sessions_.emplace_back([this, index, socket] { serve(index, socket.get()); });
    }
  });
}

WsReplayServer::~WsReplayServer() {
  stopping_ = true;
  {
    // Wake the acceptor with a connection of our own, then end every session's blocked read.
    beast::error_code ignored;
    tcp::socket waker(impl_->context);
    waker.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ignored);
    acceptor_.join();
    std::lock_guard lock(impl_->mutex);
    for (auto& socket : impl_->sockets) socket->shutdown(tcp::socket::shutdown_both, ignored);
  }
  for (std::thread& session : sessions_) session.join();
}

std::string WsReplayServer::base_url() const { return std::string(tls_ ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(port_); }

std::vector<std::string> WsReplayServer::targets() const {
  std::lock_guard lock(mutex_);
  return targets_;
}

namespace {

template <class Stream>
void play(websocket::stream<Stream>& ws, const WsScript& script, std::atomic<size_t>& pongs) {
  ws.control_callback([&](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::pong) ++pongs;
  });
  beast::error_code error;
  for (const WsStep& step : script) {
    switch (step.kind) {
      case WsStep::Kind::send:
        ws.text(true);
        ws.write(asio::buffer(step.text), error);
        break;
      case WsStep::Kind::ping:
        ws.ping({}, error);
        break;
      case WsStep::Kind::drop:
        beast::get_lowest_layer(ws).shutdown(tcp::socket::shutdown_both, error);
        beast::get_lowest_layer(ws).close(error);
        return;
      case WsStep::Kind::close:
        ws.close(websocket::close_reason(websocket::close_code::going_away, step.text), error);
        // Read until the client's close answer arrives.
        for (beast::flat_buffer buffer; !error;) ws.read(buffer, error);
        return;
    }
    if (error) return;
  }
  // Stay open, answering the client's pings and counting its pongs, until it closes.
  for (beast::flat_buffer buffer; !error;) {
    ws.read(buffer, error);
    buffer.clear();
  }
}

}  // namespace

void WsReplayServer::serve(size_t index, void* raw_socket) {
  auto& socket = *static_cast<tcp::socket*>(raw_socket);
  if (stopping_) return;
  ++connections_;
  const WsScript empty;
  const WsScript& script = index < scripts_.size() ? scripts_[index] : empty;
  beast::error_code error;
  const auto accept = [&](auto& ws) {
    beast::http::request<beast::http::empty_body> request;
    beast::flat_buffer buffer;
    beast::http::read(ws.next_layer(), buffer, request, error);
    if (error) return false;
    {
      std::lock_guard lock(mutex_);
      targets_.emplace_back(request.target());
    }
    ws.accept(request, error);
    return !error;
  };
  if (tls_) {
    websocket::stream<beast::ssl_stream<tcp::socket&>> ws(socket, impl_->tls);
    ws.next_layer().handshake(ssl::stream_base::server, error);
    if (error) return;
    if (accept(ws)) play(ws, script, pongs_);
  } else {
    websocket::stream<tcp::socket&> ws(socket);
    if (accept(ws)) play(ws, script, pongs_);
  }
}

}  // namespace cryptolake::testing
