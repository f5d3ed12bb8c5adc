#include "transform/post_cleaning.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "sources/rates/rates_parser.hpp"

namespace cryptolake::transform {

namespace {

// URLs as <url>, whitespace collapsed, of a text whose entities are already decoded.
std::string collapse_decoded(std::string_view decoded) {
  std::string out;
  out.reserve(decoded.size());
  bool space = false;
  for (size_t i = 0; i < decoded.size();) {
    const std::string_view rest = std::string_view(decoded).substr(i);
    if (rest.starts_with("http://") || rest.starts_with("https://") || rest.starts_with("www.")) {
      size_t end = i;
      while (end < decoded.size() && !std::isspace(static_cast<unsigned char>(decoded[end]))) ++end;
      if (space) out += ' ';
      space = false;
      out += "<url>";
      i = end;
      continue;
    }
    const auto c = static_cast<unsigned char>(decoded[i]);
    if (std::isspace(c)) {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += static_cast<char>(c);
    }
    ++i;
  }
  return out;
}

}  // namespace

std::string clean_post_text(std::string_view raw) { return collapse_decoded(sources::rates::decode_html_entities(raw)); }

std::string guess_language(std::string_view text) {
  static constexpr std::array<std::string_view, 24> kEnglish = {
      "the", "a", "to", "is", "and", "of", "in", "for", "on", "this", "it", "you", "i", "be", "are", "just", "with",
      "what", "my", "so", "will", "at", "buy", "now"};
  size_t words = 0, english = 0;
  std::string word;
  const auto flush = [&] {
    if (word.empty()) return;
    ++words;
    if (std::ranges::find(kEnglish, word) != kEnglish.end()) ++english;
    word.clear();
  };
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalpha(c)) word += static_cast<char>(std::tolower(c));
    else flush();
  }
  flush();
  return words >= 3 && english * 6 >= words ? "en" : "und";
}

void clean_post(core::Post& post) {
  post.is_retweet = post.is_retweet || post.text.starts_with("RT @");
  post.text = sources::rates::decode_html_entities(post.text);  // once: "&amp;lt;" stays "&lt;"
  post.text_clean = collapse_decoded(post.text);
  if (post.lang.empty()) post.lang = guess_language(post.text_clean);
}

}  // namespace cryptolake::transform
