#include "io/websocket_client.hpp"

#include <algorithm>

#include "core/excerpt.hpp"

namespace cryptolake::io {

core::Result<WebSocketUrl> parse_websocket_url(std::string_view url) {
  WebSocketUrl parts;
  std::string_view rest;
  if (url.starts_with("wss://")) {
    parts.tls = true;
    rest = url.substr(6);
  } else if (url.starts_with("ws://")) {
    rest = url.substr(5);
  } else {
    return core::fail(core::ErrorCode::invalid_argument, "'{}' is not a ws:// or wss:// URL", core::excerpt(url));
  }
  const size_t slash = std::min(rest.find('/'), rest.find('?'));
  const std::string_view authority = rest.substr(0, slash);
  parts.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (parts.target.front() == '?') parts.target.insert(0, "/");
  const size_t colon = authority.rfind(':');
  const bool bracketed = authority.starts_with('[');  // [::1]:9443
  if (colon != std::string_view::npos && (!bracketed || authority.find(']') < colon)) {
    parts.host = std::string(authority.substr(0, colon));
    parts.port = std::string(authority.substr(colon + 1));
  } else {
    parts.host = std::string(authority);
    parts.port = parts.tls ? "443" : "80";
  }
  if (bracketed && parts.host.size() >= 2) parts.host = parts.host.substr(1, parts.host.size() - 2);
  const bool digits = !parts.port.empty() && std::ranges::all_of(parts.port, [](char c) { return c >= '0' && c <= '9'; });
  if (parts.host.empty() || !digits || parts.port.size() > 5 || std::stoi(parts.port) > 65535) {
    return core::fail(core::ErrorCode::invalid_argument, "'{}': expected ws[s]://host[:port][/path]", core::excerpt(url));
  }
  return parts;
}

}  // namespace cryptolake::io
