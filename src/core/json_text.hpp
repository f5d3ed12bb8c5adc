// Writing JSON text by hand where a document is built once and streamed (raw envelopes, quarantine).
#pragma once

#include <string>
#include <string_view>

namespace cryptolake::core {

// Appends `text` as a quoted JSON string, escaping quotes, backslashes and control characters.
// Invalid UTF-8 bytes are replaced with U+FFFD so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view text);
std::string json_string(std::string_view text);

// Whether every byte sequence is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view text);

}  // namespace cryptolake::core
