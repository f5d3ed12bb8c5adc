#include "core/excerpt.hpp"

#include <fmt/format.h>

namespace cryptolake::core {

namespace {

// Length of the well-formed UTF-8 sequence at `pos`, or 0 when the byte there does not start one.
size_t utf8_length(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  size_t length = 0;
  if (lead >= 0xC2 && lead <= 0xDF) length = 2;
  else if (lead >= 0xE0 && lead <= 0xEF) length = 3;
  else if (lead >= 0xF0 && lead <= 0xF4) length = 4;
  if (length == 0 || pos + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
  }
  // Overlongs and surrogates.
  if ((lead == 0xE0 && byte(pos + 1) < 0xA0) || (lead == 0xED && byte(pos + 1) > 0x9F) ||
      (lead == 0xF0 && byte(pos + 1) < 0x90) || (lead == 0xF4 && byte(pos + 1) > 0x8F)) {
    return 0;
  }
  if (lead == 0xC2 && byte(pos + 1) < 0xA0) return 0;  // C1 controls (0x9B opens a terminal escape)
  return length;
}

}  // namespace

std::string excerpt(std::string_view text, size_t max_chars) {
  std::string out;
  out.reserve(std::min(text.size(), max_chars * 4) + 4);
  size_t chars = 0;
  for (size_t pos = 0; pos < text.size(); ++chars) {
    if (chars == max_chars) return out + "…";
    const unsigned char c = static_cast<unsigned char>(text[pos]);
    if (c == '\n') out += "\\n", ++pos;
    else if (c == '\r') out += "\\r", ++pos;
    else if (c == '\t') out += "\\t", ++pos;
    else if (c < 0x20 || c == 0x7F) out += fmt::format("\\x{:02x}", c), ++pos;
    else if (c < 0x80) out += static_cast<char>(c), ++pos;
    else if (const size_t n = utf8_length(text, pos); n > 0) out.append(text.substr(pos, n)), pos += n;
    else out += fmt::format("\\x{:02x}", c), ++pos;
  }
  return out;
}

}  // namespace cryptolake::core
