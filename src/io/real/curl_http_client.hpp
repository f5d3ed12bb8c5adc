// HttpClient on libcurl: TLS with verification, gzip/deflate, keep-alive (one
// connection cache per thread), connect and read timeouts, proxies from http(s)_proxy/no_proxy.
// Redirects (at most 5): a request with headers of its own (API keys, tokens) follows them only
// within its scheme, host and port, and otherwise fails naming the target; one without follows any.
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
  // One request, no redirect followed; `redirect_to` gets the absolute Location of a 3xx.
  core::Result<HttpResponse> send_once(const HttpRequest& request, std::string& redirect_to);
  std::string user_agent_;
};

}  // namespace cryptolake::io
