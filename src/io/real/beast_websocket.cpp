#include "io/real/beast_websocket.hpp"

#include <optional>
#include <utility>  // before Asio: Boost 1.74's coroutine headers need it

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <fmt/format.h>

#include "core/excerpt.hpp"

namespace cryptolake::io {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

using core::ErrorCode;
using core::fail;

// What a stream runs on; made before the stream, which refers to both.
struct Io {
  asio::io_context context;
  ssl::context tls{ssl::context::tls_client};
};

template <class NextLayer>
class BeastConnection final : public WebSocketConnection {
 public:
  static constexpr bool kTls = !std::is_same_v<NextLayer, beast::tcp_stream>;

  explicit BeastConnection(std::unique_ptr<Io> io) : io_(std::move(io)) {
    if constexpr (kTls) {
      ws_.emplace(io_->context, io_->tls);
    } else {
      ws_.emplace(io_->context);
    }
  }

  ~BeastConnection() override {
    beast::error_code ignored;
    beast::get_lowest_layer(*ws_).socket().close(ignored);
  }

  core::Status open(const WebSocketUrl& url, const WebSocketOptions& options) {
    const auto deadline = Clock::now() + options.connect_timeout;
    const auto timed_out = [&](std::string_view step) {
      return fail(ErrorCode::timed_out, "{} {}: no answer within {} ms", step, url.host, options.connect_timeout.count());
    };
    tcp::resolver resolver(io_->context);
    beast::error_code error;
    bool done = false;
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(url.host, url.port, [&](beast::error_code ec, tcp::resolver::results_type found) {
      error = ec;
      endpoints = std::move(found);
      done = true;
    });
    if (!run_until(done, deadline)) {
      resolver.cancel();
      return timed_out("resolving");
    }
    if (error) return fail(ErrorCode::unavailable, "resolving {}: {}", url.host, error.message());

    auto& tcp_layer = beast::get_lowest_layer(*ws_);
    tcp_layer.expires_at(deadline);
    done = false;
    tcp_layer.async_connect(endpoints, [&](beast::error_code ec, const tcp::endpoint&) {
      error = ec;
      done = true;
    });
    if (!run_until(done, deadline + std::chrono::seconds(1)) || error == beast::error::timeout) return timed_out("connecting to");
    if (error) return fail(ErrorCode::unavailable, "connecting to {}:{}: {}", url.host, url.port, error.message());

    if constexpr (kTls) {
      auto& tls = ws_->next_layer();
      // SNI, and the certificate must name the host.
      // SSL_set_tlsext_host_name, without the macro's C cast.
      if (!SSL_ctrl(tls.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(url.host.c_str()))) {
        return fail(ErrorCode::unavailable, "TLS: cannot set the server name {}", url.host);
      }
      tls.set_verify_mode(ssl::verify_peer);
      tls.set_verify_callback(ssl::host_name_verification(url.host));
      done = false;
      tls.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) {
        error = ec;
        done = true;
      });
      if (!run_until(done, deadline + std::chrono::seconds(1)) || error == beast::error::timeout) return timed_out("TLS handshake with");
      if (error) return fail(ErrorCode::unavailable, "TLS handshake with {}: {}", url.host, error.message());
    }

    tcp_layer.expires_never();  // from here the WebSocket's own timeouts apply
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = std::chrono::duration_cast<std::chrono::seconds>(options.connect_timeout) + std::chrono::seconds(1);
    timeouts.idle_timeout = options.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_->set_option(timeouts);
    ws_->read_message_max(options.max_message_bytes);
    done = false;
    const bool default_port = url.port == (kTls ? "443" : "80");
    ws_->async_handshake(default_port ? url.host : url.host + ":" + url.port, url.target, [&](beast::error_code ec) {
      error = ec;
      done = true;
    });
    if (!run_until(done, deadline + std::chrono::seconds(1)) || error == beast::error::timeout) return timed_out("WebSocket handshake with");
    if (error) return fail(ErrorCode::unavailable, "WebSocket handshake with {}: {}", url.host, error.message());
    return {};
  }

  core::Result<std::string> read(std::chrono::milliseconds timeout) override {
    if (broken_) return fail(ErrorCode::unavailable, "{}", *broken_);
    if (!reading_) {
      reading_ = true;
      read_done_ = false;
      ws_->async_read(buffer_, [this](beast::error_code ec, size_t) {
        read_error_ = ec;
        read_done_ = true;
      });
    }
    if (!run_until(read_done_, Clock::now() + timeout)) return fail(ErrorCode::timed_out, "no message within {} ms", timeout.count());
    reading_ = false;
    if (read_error_) {
      if (read_error_ == websocket::error::closed) {
        const websocket::close_reason& reason = ws_->reason();
        broken_ = fmt::format("the server closed the connection (code {}{}{})", static_cast<int>(reason.code),
                              reason.reason.empty() ? "" : ": ", core::excerpt(std::string_view(reason.reason.data(), reason.reason.size())));
      } else if (read_error_ == beast::error::timeout) {
        broken_ = "nothing received within the idle timeout";
      } else {
        broken_ = read_error_.message();
      }
      return fail(ErrorCode::unavailable, "{}", *broken_);
    }
    std::string message = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    return message;
  }

  core::Status ping() override {
    if (broken_) return fail(ErrorCode::unavailable, "{}", *broken_);
    bool done = false;
    beast::error_code error;
    ws_->async_ping({}, [&](beast::error_code ec) {
      error = ec;
      done = true;
    });
    if (!run_until(done, Clock::now() + std::chrono::seconds(10))) return fail(ErrorCode::timed_out, "ping: not sent within 10 s");
    if (error) return fail(ErrorCode::unavailable, "ping: {}", error.message());
    return {};
  }

  void close() override {
    if (broken_ || !ws_->is_open()) return;
    bool done = false;
    ws_->async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
    // A read still waiting ends with the close; then the handshake completes.
    const auto deadline = Clock::now() + std::chrono::seconds(2);
    while (!(done && (!reading_ || read_done_)) && Clock::now() < deadline) {
      if (!run_until(done, deadline)) break;
      if (reading_ && !read_done_) run_until(read_done_, deadline);
    }
    broken_ = "closed";
  }

 private:
  // Runs the event loop until `flag` is set or the deadline passes; says whether it was set.
  bool run_until(const bool& flag, Clock::time_point deadline) {
    while (!flag) {
      if (io_->context.stopped()) io_->context.restart();
      if (io_->context.run_one_until(deadline) == 0 && (Clock::now() >= deadline || io_->context.stopped())) return flag;
    }
    return true;
  }

  std::unique_ptr<Io> io_;
  std::optional<websocket::stream<NextLayer>> ws_;
  beast::flat_buffer buffer_;
  bool reading_ = false;
  bool read_done_ = false;
  beast::error_code read_error_;
  std::optional<std::string> broken_;  // why the connection ended
};

class BeastWebSocketClient final : public WebSocketClient {
 public:
  explicit BeastWebSocketClient(WebSocketOptions options) : options_(std::move(options)) {}

  core::Result<std::unique_ptr<WebSocketConnection>> connect(std::string_view url) override {
    TRY_ASSIGN(const WebSocketUrl parts, parse_websocket_url(url));
    auto io = std::make_unique<Io>();
    if (parts.tls) {
      boost::system::error_code error;
      io->tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1);
      if (options_.ca_file.empty()) io->tls.set_default_verify_paths(error);
      else io->tls.load_verify_file(options_.ca_file, error);
      if (error) return fail(ErrorCode::invalid_argument, "TLS trust store{}: {}", options_.ca_file.empty() ? "" : " " + options_.ca_file, error.message());
      auto connection = std::make_unique<BeastConnection<beast::ssl_stream<beast::tcp_stream>>>(std::move(io));
      TRY(connection->open(parts, options_));
      return connection;
    }
    auto connection = std::make_unique<BeastConnection<beast::tcp_stream>>(std::move(io));
    TRY(connection->open(parts, options_));
    return connection;
  }

 private:
  WebSocketOptions options_;
};

}  // namespace

std::unique_ptr<WebSocketClient> make_beast_websocket_client(WebSocketOptions options) {
  return std::make_unique<BeastWebSocketClient>(std::move(options));
}

}  // namespace cryptolake::io
