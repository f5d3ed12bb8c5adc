// A post's text for analysis, beside the text as written: `text` only has its HTML entities
// decoded (once); `text_clean` also has URLs replaced by <url> and whitespace collapsed, emoji
// kept. Retweets ("RT @user: …") flagged; a missing language guessed cheaply (English stop
// words, else "und").
#pragma once

#include <string>
#include <string_view>

#include "core/market.hpp"

namespace cryptolake::transform {

std::string clean_post_text(std::string_view text);
// "en" when common English words make up enough of the text, else "und".
std::string guess_language(std::string_view text);
// Fills text_clean, decodes text's entities, flags retweets, guesses a missing lang.
void clean_post(core::Post& post);

}  // namespace cryptolake::transform
