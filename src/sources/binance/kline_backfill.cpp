#include "sources/binance/kline_backfill.hpp"

#include <array>

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include "core/decimal.hpp"
#include "core/market.hpp"

namespace cryptolake::sources::binance {

using core::ErrorCode;
using core::fail;
using core::Timestamp;

bool is_binance_interval(std::string_view interval) {
  return std::ranges::find(kBinanceIntervals, interval) != kBinanceIntervals.end();
}

ServiceEndpoint binance_endpoint(std::string base_url, int64_t weight_per_minute, std::string api_key) {
  ServiceEndpoint endpoint = service_endpoint("binance", std::move(base_url), weight_per_minute);
  endpoint.used_weight_header = "x-mbx-used-weight-1m";
  if (!api_key.empty()) endpoint.headers.emplace_back("X-MBX-APIKEY", std::move(api_key));
  return endpoint;
}

std::string checkpoint_name(const core::Symbol& symbol, std::string_view interval) {
  // Intervals differ only by case for minutes and months (1m, 1M): spell the month out.
  return fmt::format("binance/klines/{}-{}.txt", symbol.exchange(), interval == "1M" ? "1mo" : interval);
}

std::optional<Timestamp> read_checkpoint(const io::CheckpointStore& checkpoints, const core::Symbol& symbol,
                                         std::string_view interval) {
  auto text = checkpoints.load(checkpoint_name(symbol, interval));
  if (!text) return std::nullopt;
  while (!text->empty() && (text->back() == '\n' || text->back() == ' ')) text->pop_back();
  return Timestamp::parse_iso(*text);
}

std::string klines_path(const core::Symbol& symbol, std::string_view interval, int64_t start_ms,
                        std::optional<int64_t> end_ms, int limit) {
  std::string path = fmt::format("/api/v3/klines?symbol={}&interval={}&startTime={}&limit={}", symbol.exchange(),
                                 interval, start_ms, limit);
  if (end_ms) path += fmt::format("&endTime={}", *end_ms);
  return path;
}

namespace {

struct PageSummary {
  int64_t rows = 0;
  std::optional<int64_t> last_closed_open_ms;  // open time of the last candle closed when received
  bool has_open_candle = false;
};

core::Result<PageSummary> summarize_page(const std::string& body, Timestamp received_at) {
  simdjson::dom::parser parser;
  simdjson::dom::array rows;
  if (parser.parse(body).get_array().get(rows)) {
    return fail(ErrorCode::corrupt_data, "klines response is not a JSON array: {}", body.substr(0, 120));
  }
  PageSummary summary;
  for (simdjson::dom::element row : rows) {
    ++summary.rows;
    int64_t open = 0, close = 0;
    if (row.at(0).get_int64().get(open) || row.at(6).get_int64().get(close)) continue;  // the ETL quarantines it
    if (Timestamp::from_epoch_auto(close) < received_at) {
      summary.last_closed_open_ms = Timestamp::from_epoch_auto(open).millis();
    } else {
      summary.has_open_candle = true;
    }
  }
  return summary;
}

}  // namespace

core::Result<BackfillResult> backfill_klines(ServiceSession& session, io::CheckpointStore& checkpoints, const KlineTarget& target,
                                             io::Priority priority, const PageProgress& progress, std::stop_token stop) {
  if (!is_binance_interval(target.interval)) {
    return fail(ErrorCode::invalid_argument, "interval '{}' is not a Binance kline interval", target.interval);
  }
  BackfillResult result;
  result.next_start = read_checkpoint(checkpoints, target.symbol, target.interval).value_or(target.since);
  result.next_start = std::max(result.next_start, target.since);
  while (!stop.stop_requested()) {
    if (target.until && result.next_start >= *target.until) {
      result.caught_up = true;
      break;
    }
    std::optional<int64_t> end_ms;
    if (target.until) end_ms = target.until->millis() - 1;
    const std::string path = klines_path(target.symbol, target.interval, result.next_start.millis(), end_ms);
    const std::string request = fmt::format(
        R"({{"method":"GET","endpoint":"/api/v3/klines","symbol":"{}","interval":"{}","startTime":{},{}"limit":{}}})",
        target.symbol.exchange(), target.interval, result.next_start.millis(),
        end_ms ? fmt::format("\"endTime\":{},", *end_ms) : "", kKlinesPageLimit);
    // A 200 with a body that is not a klines array (cut short, an HTML page from a proxy) landed
    // in the raw zone for the record; ask again a few times before giving up.
    core::Result<PageSummary> summary = fail(ErrorCode::corrupt_data, "no attempt");
    for (int attempt = 1; attempt <= 3 && !summary; ++attempt) {
      TRY_ASSIGN(const FetchedResponse fetched, session.get(path, kKlinesWeight, priority, "klines", request, stop));
      summary = summarize_page(fetched.response.body, fetched.received_at);  // closed when it arrived?
      if (!summary) spdlog::warn("binance {}: {} (attempt {})", path, summary.error().message, attempt);
    }
    if (!summary) return std::unexpected(summary.error());
    ++result.pages;
    result.rows += summary->rows;
    if (summary->last_closed_open_ms) {
      // Binance returns candles whose open time is >= startTime: one ms past the last closed
      // candle works for every interval, calendar months included.
      result.next_start = Timestamp::from_millis(*summary->last_closed_open_ms + 1);
      TRY(checkpoints.save(checkpoint_name(target.symbol, target.interval), result.next_start.iso() + "\n"));
    }
    if (progress) progress(target, summary->rows, result.next_start);
    const int64_t step = core::interval_micros(target.interval);  // 0 for calendar months
    const bool past_until = target.until && summary->last_closed_open_ms && step > 0 &&
                            Timestamp::from_millis(*summary->last_closed_open_ms) + step >= *target.until;
    if (summary->rows < kKlinesPageLimit || summary->has_open_candle || !summary->last_closed_open_ms || past_until) {
      result.caught_up = true;  // end of history: the present, or nothing more upstream
      break;
    }
  }
  return result;
}

}  // namespace cryptolake::sources::binance
