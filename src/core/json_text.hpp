// Writing JSON text by hand where a document is built once and streamed (raw envelopes, quarantine).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cryptolake::core {

// Appends `text` as a quoted JSON string, escaping quotes, backslashes and control characters.
// Invalid UTF-8 bytes are replaced with U+FFFD so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view text);
std::string json_string(std::string_view text);

// A number as JSON text (shortest round-trip form), or null for none, NaN and infinities, which
// JSON cannot hold.
std::string json_number(std::optional<double> value);

// Length of the well-formed UTF-8 sequence starting at text[i] (1 for ASCII), or 0 when none
// starts there (a stray continuation byte, an overlong form, a surrogate, a cut sequence).
size_t utf8_sequence_length(std::string_view text, size_t i);

// Whether every byte sequence is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view text);

}  // namespace cryptolake::core
