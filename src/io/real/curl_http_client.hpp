// HttpClient on libcurl: TLS with verification, gzip/deflate, keep-alive (one
// connection cache per thread), connect and read timeouts, proxies from http(s)_proxy/no_proxy.
#pragma once

#include <string>

#include "io/http_client.hpp"

namespace cryptolake::io {

// Thread-safe; each thread reuses its own curl handle so connections stay alive.
class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(std::string user_agent = "cryptolake/0.1");
  core::Result<HttpResponse> send(const HttpRequest& request) override;

 private:
  std::string user_agent_;
};

}  // namespace cryptolake::io
