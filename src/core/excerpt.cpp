#include "core/excerpt.hpp"

#include <fmt/format.h>

#include "core/json_text.hpp"

namespace cryptolake::core {

std::string excerpt(std::string_view text, size_t max_chars) {
  std::string out;
  out.reserve(std::min(text.size(), max_chars * 4) + 4);
  size_t chars = 0;
  for (size_t pos = 0; pos < text.size(); ++chars) {
    if (chars == max_chars) return out + "…";
    const auto c = static_cast<unsigned char>(text[pos]);
    size_t n = utf8_sequence_length(text, pos);
    // Escaped: control characters, C1 controls (U+0080–U+009F: 0x9B opens a terminal escape),
    // and bytes that start no UTF-8 character.
    if (c < 0x20 || c == 0x7F || (c == 0xC2 && n == 2 && static_cast<unsigned char>(text[pos + 1]) < 0xA0)) n = 0;
    if (n > 0) {
      out.append(text.substr(pos, n));
      pos += n;
      continue;
    }
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += fmt::format("\\x{:02x}", c);
    ++pos;
  }
  return out;
}

}  // namespace cryptolake::core
