// Exact-text number parsing shared by every parser: sources send decimals as strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cryptolake::core {

// Parses a finite decimal ("0.00002853", "3348", "-1.5e-3"); nullopt on anything else.
std::optional<double> parse_decimal(std::string_view text);
std::optional<int64_t> parse_int(std::string_view text);

}  // namespace cryptolake::core
