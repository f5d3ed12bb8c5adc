#include "sources/rates/rates_poll.hpp"

#include <fmt/format.h>

#include "core/json_text.hpp"

namespace cryptolake::sources::rates {

core::Result<BpiMirror> bpi_mirror(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return core::fail(core::ErrorCode::invalid_argument, "BPI URL needs http:// or https://");
  const size_t path_at = url.find('/', scheme + 3);
  return BpiMirror{std::string(url.substr(0, path_at)), path_at == std::string_view::npos ? "/" : std::string(url.substr(path_at)),
                   std::string(url)};
}

RatesPollReport poll_rates(ServiceSession& coinbase, ServiceSession* bpi, const BpiMirror* mirror, const RatesPoll& poll,
                           io::Clock& clock, const PollFailure& on_failure, std::stop_token stop) {
  RatesPollReport report;
  const auto ask = [&](ServiceSession& session, std::string_view path, std::string_view dataset, std::string request) {
    auto fetched = session.get(path, 1, io::Priority::live, dataset, std::move(request), stop);
    if (fetched) {
      ++report.landed;
      return;
    }
    ++report.failed;
    if (on_failure) on_failure(session.endpoint().source, fetched.error().message);
  };
  for (int i = 0; (poll.count == 0 || i < poll.count) && !stop.stop_requested(); ++i) {
    const core::Timestamp started = clock.now();
    ask(coinbase, "/v2/exchange-rates?currency=BTC", "exchange_rates", R"({"endpoint":"/v2/exchange-rates","currency":"BTC"})");
    if (bpi != nullptr && mirror != nullptr) {
      ask(*bpi, mirror->path, "currentprice", fmt::format(R"({{"url":{}}})", core::json_string(mirror->url)));
    }
    const bool more = poll.count == 0 || i + 1 < poll.count;
    if (more && !clock.sleep_until(started + poll.every_seconds * core::Timestamp::kMicrosPerSecond, stop)) break;
  }
  return report;
}

}  // namespace cryptolake::sources::rates
