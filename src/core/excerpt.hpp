// Input echoed back in a message is cut and made safe to print: a 10 MB header line must not
// become a 10 MB error, and raw bytes must not reach a terminal.
#pragma once

#include <string>
#include <string_view>

namespace cryptolake::core {

// At most `max_chars` characters of `text`, then "…" if there was more. Control characters and
// bytes that are not UTF-8 become escapes (\n, \t, \x1b); other UTF-8 characters stay as they are.
std::string excerpt(std::string_view text, size_t max_chars = 200);

}  // namespace cryptolake::core
