#include "io/real/curl_http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "core/excerpt.hpp"

namespace cryptolake::io {

namespace {

struct CurlHandle {
  CURL* curl;
  CurlHandle() : curl(curl_easy_init()) {}
  ~CurlHandle() { curl_easy_cleanup(curl); }
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();  // a new response (after 100-continue or a redirect)
  } else if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::ranges::transform(name, name.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
    response->headers.emplace_back(std::move(name), std::string(value));
  }
  return size * count;
}

// scheme://host:port of a URL ("" when it does not parse), to tell whether a redirect leaves the host.
std::string origin(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), &curl_url_cleanup);
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return {};
  std::string out;
  for (const CURLUPart part : {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT}) {
    char* value = nullptr;
    const CURLUcode rc = curl_url_get(parsed.get(), part, &value, part == CURLUPART_PORT ? CURLU_DEFAULT_PORT : 0);
    if (rc != CURLUE_OK) return {};
    std::string text(value);
    curl_free(value);
    std::ranges::transform(text, text.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    out += part == CURLUPART_SCHEME ? text + "://" : part == CURLUPART_HOST ? text : ":" + text;
  }
  return out;
}

}  // namespace

CurlHttpClient::CurlHttpClient(std::string user_agent) : user_agent_(std::move(user_agent)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

core::Result<HttpResponse> CurlHttpClient::send_once(const HttpRequest& request, std::string& redirect_to) {
  thread_local CurlHandle handle;
  CURL* curl = handle.curl;
  if (curl == nullptr) return core::fail(core::ErrorCode::unavailable, "libcurl: cannot create a handle");
  curl_easy_reset(curl);
  HttpResponse response;
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, &curl_slist_free_all);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (!request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent_.c_str());
  // gzip is what every market-data API serves well; brotli at a server's default quality costs it
  // far more CPU than it saves on JSON.
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  // A read timeout: abort when fewer than 1 byte/s arrive for read_timeout.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(request.read_timeout.count() / 1000)));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // send() decides which redirects to follow
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return core::fail(core::ErrorCode::timed_out, "{} {}: {}", request.method, request.url, curl_easy_strerror(rc));
  }
  if (rc != CURLE_OK) {
    return core::fail(core::ErrorCode::unavailable, "{} {}: {}", request.method, request.url, curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  char* location = nullptr;
  curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location);  // absolute, resolved against the request
  redirect_to = location != nullptr ? location : "";
  return response;
}

core::Result<HttpResponse> CurlHttpClient::send(const HttpRequest& request) {
  HttpRequest hop = request;
  for (int redirects = 0;; ++redirects) {
    std::string target;
    TRY_ASSIGN(HttpResponse response, send_once(hop, target));
    const bool redirect = response.status == 301 || response.status == 302 || response.status == 303 ||
                          response.status == 307 || response.status == 308;
    if (!redirect || target.empty()) return response;
    if (redirects == 5) return core::fail(core::ErrorCode::unavailable, "{}: more than 5 redirects", core::excerpt(request.url));
    // Headers of our own can carry credentials (API keys, tokens): they go to the host they were
    // meant for and nowhere else.
    if (!request.headers.empty() && origin(target) != origin(request.url)) {
      return core::fail(core::ErrorCode::unavailable, "{} redirected to {}: not followed, the request's headers are for {} only",
                        core::excerpt(request.url), core::excerpt(target), origin(request.url));
    }
    if (response.status == 303 || ((response.status == 301 || response.status == 302) && hop.method == "POST")) {
      hop.method = "GET";
      hop.body.clear();
    }
    hop.url = std::move(target);
  }
}

}  // namespace cryptolake::io
