// Reading fields of API responses that disagree on how to spell numbers.
#pragma once

#include <optional>
#include <string_view>

#include <simdjson.h>

#include "core/decimal.hpp"

namespace cryptolake::sources {

// A decimal sent as a string ("61930.01") or as a JSON number; nothing when absent or null.
inline std::optional<double> decimal_field(simdjson::dom::object o, std::string_view key) {
  std::string_view text;
  if (o[key].get_string().get(text) == simdjson::SUCCESS) return core::parse_decimal(text);
  double number = 0;
  if (o[key].get_double().get(number) == simdjson::SUCCESS) return number;
  return std::nullopt;
}

}  // namespace cryptolake::sources
