#include "serve/api_params.hpp"

#include <fmt/format.h>

#include "core/decimal.hpp"
#include "core/excerpt.hpp"
#include "core/market.hpp"
#include "core/symbol.hpp"

namespace cryptolake::serve {

using core::ErrorCode;
using core::fail;
using core::Timestamp;

std::string param(const io::ServerRequest& r, const std::string& name, std::string fallback) {
  auto it = r.params.find(name);
  return it == r.params.end() || it->second.empty() ? fallback : it->second;
}

core::Result<std::optional<Timestamp>> instant_param(const io::ServerRequest& r, const std::string& name) {
  const std::string text = param(r, name);
  if (text.empty()) return std::nullopt;
  if (auto ms = core::parse_int(text)) return Timestamp::from_millis(*ms);
  if (auto iso = Timestamp::parse_iso(text)) return iso;
  return fail(ErrorCode::invalid_argument, "{}={}: expected ISO-8601 (2024-01-01T00:00:00Z) or epoch milliseconds", name,
              core::excerpt(text, 60));
}

namespace {
std::string timestamptz(const Timestamp& at) { return at.sql_literal() + "::TIMESTAMPTZ"; }
}  // namespace

core::Result<std::optional<std::string>> time_param(const io::ServerRequest& r, const std::string& name) {
  TRY_ASSIGN(const auto at, instant_param(r, name));
  if (!at) return std::nullopt;
  return timestamptz(*at);
}

core::Result<std::string> symbol_param(const io::ServerRequest& r, bool required) {
  const std::string text = param(r, "symbol");
  if (text.empty()) {
    if (required) return fail(ErrorCode::invalid_argument, "symbol is required, e.g. symbol=BTC-USDT");
    return std::string();
  }
  auto symbol = core::Symbol::parse(text);
  if (!symbol) return fail(ErrorCode::invalid_argument, "symbol={}: {}", text, symbol.error().message);
  return symbol->canonical();
}

core::Result<int64_t> limit_param(const io::ServerRequest& r, int64_t fallback, int64_t max) {
  const std::string text = param(r, "limit");
  if (text.empty()) return fallback;
  auto n = core::parse_int(text);
  if (!n || *n < 1 || *n > max) return fail(ErrorCode::invalid_argument, "limit={}: expected 1 to {}", text, max);
  return *n;
}

core::Result<std::string> interval_param(const io::ServerRequest& r) {
  std::string text = param(r, "interval", "1m");
  if (core::interval_micros(text) == 0 && text != "1M") {
    return fail(ErrorCode::invalid_argument, "interval={}: expected 1m, 5m, 1h, 1d, …", text);
  }
  return text;
}

core::Result<TimeRange> time_range(const io::ServerRequest& r) {
  TRY_ASSIGN(const auto from, instant_param(r, "from"));
  TRY_ASSIGN(const auto to, instant_param(r, "to"));
  return TimeRange{from, to};
}

std::string time_filter(const TimeRange& range, std::string_view column) {
  std::string where;
  if (range.from) where += fmt::format(" AND {} >= {}", column, timestamptz(*range.from));
  if (range.to) where += fmt::format(" AND {} < {}", column, timestamptz(*range.to));
  return where;
}

core::Result<std::string> time_filter(const io::ServerRequest& r, std::string_view column) {
  TRY_ASSIGN(const TimeRange range, time_range(r));
  return time_filter(range, column);
}

}  // namespace cryptolake::serve
