#include "core/symbol.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace cryptolake::core {

namespace {

constexpr std::array<std::string_view, 40> kQuotes = {
    "USDT", "USDC", "FDUSD", "BUSD", "TUSD", "USDP", "DAI",  "PAX", "UST", "USD",  "BTC",  "ETH",  "BNB", "XRP",
    "TRX",  "DOGE", "DOT",   "EUR",  "EURI", "AEUR", "GBP", "AUD", "TRY", "BRL",  "RUB",  "UAH",  "NGN", "ZAR",
    "PLN",  "RON",  "ARS",   "MXN",  "COP",  "CZK",  "JPY", "IDR", "BIDR", "IDRT", "BKRW", "VAI"};

bool is_asset_text(std::string_view s) {
  return !s.empty() && std::ranges::all_of(s, [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

}  // namespace

std::span<const std::string_view> known_quotes() { return kQuotes; }

Result<Symbol> Symbol::parse(std::string_view text) {
  std::string upper(text);
  std::ranges::transform(upper, upper.begin(), [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
  if (const size_t sep = upper.find_first_of("-/_"); sep != std::string::npos) {
    std::string base = upper.substr(0, sep), quote = upper.substr(sep + 1);
    if (!is_asset_text(base) || !is_asset_text(quote)) {
      return fail(ErrorCode::invalid_argument, "symbol '{}': expected BASE-QUOTE", text);
    }
    return Symbol(std::move(base), std::move(quote));
  }
  if (!is_asset_text(upper)) return fail(ErrorCode::invalid_argument, "symbol '{}': not alphanumeric", text);
  std::string_view best;
  for (std::string_view quote : kQuotes) {
    if (upper.size() > quote.size() && upper.ends_with(quote) && quote.size() > best.size()) best = quote;
  }
  if (best.empty()) return fail(ErrorCode::invalid_argument, "symbol '{}': no known quote asset at its end", text);
  return Symbol(upper.substr(0, upper.size() - best.size()), std::string(best));
}

}  // namespace cryptolake::core
