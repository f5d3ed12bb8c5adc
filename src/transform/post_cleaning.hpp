// Cleaning a post's text for analysis (the original stays in the raw zone): HTML entities
// decoded, URLs replaced by <url>, whitespace collapsed, emoji kept; retweets ("RT @user: …")
// flagged; a missing language guessed cheaply (English stop words, else "und").
#pragma once

#include <string>
#include <string_view>

#include "core/market.hpp"

namespace cryptolake::transform {

std::string clean_post_text(std::string_view text);
// "en" when common English words make up enough of the text, else "und".
std::string guess_language(std::string_view text);
// Cleans `post` in place: text, is_retweet, lang.
void clean_post(core::Post& post);

}  // namespace cryptolake::transform
