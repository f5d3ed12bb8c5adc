// Trading pairs in canonical BASE-QUOTE form ("BTC-USDT"), whatever the exchange spelled.
#pragma once

#include <compare>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace cryptolake::core {

class Symbol {
 public:
  Symbol() = default;
  Symbol(std::string base, std::string quote) : base_(std::move(base)), quote_(std::move(quote)) {}

  // Accepts "BTCUSDT", "btcusdt", "BTC-USDT", "BTC/USDT", "BTC_USDT". Concatenated forms are split
  // at the longest known quote asset that leaves a non-empty base.
  [[nodiscard]] static Result<Symbol> parse(std::string_view text);

  const std::string& base() const { return base_; }
  const std::string& quote() const { return quote_; }
  std::string canonical() const {  // BTC-USDT
    std::string out;
    append_canonical(out);
    return out;
  }
  // The canonical form appended to `out`: for hot loops that reuse one string.
  void append_canonical(std::string& out) const { out.append(base_).append(1, '-').append(quote_); }
  std::string exchange() const { return base_ + quote_; }         // BTCUSDT

  auto operator<=>(const Symbol&) const = default;

 private:
  std::string base_;
  std::string quote_;
};

// Quote assets recognised when splitting concatenated exchange symbols.
std::span<const std::string_view> known_quotes();

}  // namespace cryptolake::core
