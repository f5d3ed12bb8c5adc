// CurlHttpClient against real loopback servers: credentials never follow a redirect to another host.
#include "io/real/curl_http_client.hpp"

#include <gtest/gtest.h>

#include "support/loopback_server.hpp"

namespace cryptolake::io {
namespace {

using testing::LoopbackReply;
using testing::LoopbackRequest;
using testing::LoopbackServer;

LoopbackReply redirect_to(const std::string& url) { return {302, "", "text/plain", {{"Location", url}}, 0}; }

TEST(CurlHttpClient, HeadersAreNotCarriedToAnotherHostByARedirect) {
  LoopbackServer api, elsewhere;
  api.route("/coins", [&](const LoopbackRequest&) { return redirect_to(elsewhere.base_url() + "/steal"); });
  elsewhere.route("/steal", [](const LoopbackRequest&) { return LoopbackReply{200, "{}", "application/json", {}, 0}; });
  CurlHttpClient http;
  HttpRequest request;
  request.url = api.base_url() + "/coins";
  request.headers = {{"x-cg-demo-api-key", "secret-key"}};
  const auto response = http.send(request);
  ASSERT_FALSE(response);
  EXPECT_NE(response.error().message.find("redirected to " + elsewhere.base_url() + "/steal"), std::string::npos)
      << response.error().message;
  EXPECT_TRUE(elsewhere.requests().empty());
  EXPECT_EQ(api.requests().size(), 1u);
}

TEST(CurlHttpClient, ARedirectWithinTheHostIsFollowedWithItsHeaders) {
  LoopbackServer api;
  api.route("/old", [&](const LoopbackRequest&) { return redirect_to("/new"); });
  api.route("/new", [](const LoopbackRequest& r) {
    return LoopbackReply{200, r.headers.contains("x-mbx-apikey") ? "with key" : "without key", "text/plain", {}, 0};
  });
  CurlHttpClient http;
  HttpRequest request;
  request.url = api.base_url() + "/old";
  request.headers = {{"X-MBX-APIKEY", "k"}};
  const auto response = http.send(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "with key");
}

TEST(CurlHttpClient, ARequestWithoutHeadersOfItsOwnFollowsAnywhereButNotForever) {
  LoopbackServer mirror, cdn;
  mirror.route("/file", [&](const LoopbackRequest&) { return redirect_to(cdn.base_url() + "/file"); });
  cdn.route("/file", [](const LoopbackRequest&) { return LoopbackReply{200, "bytes", "text/plain", {}, 0}; });
  mirror.route("/loop", [&](const LoopbackRequest&) { return redirect_to(mirror.base_url() + "/loop"); });
  CurlHttpClient http;
  HttpRequest request;
  request.url = mirror.base_url() + "/file";
  const auto response = http.send(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "bytes");
  request.url = mirror.base_url() + "/loop";
  const auto looping = http.send(request);
  ASSERT_FALSE(looping);
  EXPECT_NE(looping.error().message.find("more than 5 redirects"), std::string::npos);
  EXPECT_EQ(mirror.requests().size(), 1u + 6u);
}

}  // namespace
}  // namespace cryptolake::io
