// The port to HTTP services. Implementations: io/real/CurlHttpClient; tests use it against a
// loopback server, never a mock.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace cryptolake::io {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds read_timeout{30'000};  // no byte received for this long: give up
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;

  // The first header of that name (case-insensitive), if any.
  std::optional<std::string> header(std::string_view name) const;
};

// Thread-safe: concurrent send() calls are allowed. A transport failure (DNS, refused or dropped
// connection, TLS) is ErrorCode::unavailable, a timeout ErrorCode::timed_out; any HTTP status,
// 4xx and 5xx included, is a response.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  [[nodiscard]] virtual core::Result<HttpResponse> send(const HttpRequest& request) = 0;
};

// Percent-encodes a query value (RFC 3986 unreserved characters stay).
std::string url_encode(std::string_view text);

}  // namespace cryptolake::io
