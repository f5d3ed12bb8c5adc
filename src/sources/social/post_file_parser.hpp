// Posts from files people already have: CSV exports (flattened Twitter API v1.1 as advertools
// writes it, scraper exports with ';' and Python-style lists, spreadsheet exports whose ids
// became floats like 1.00534E+18) and JSON/NDJSON (X API v2 responses, v1.1 objects, simple
// {id, user, text, created_at, likes, retweets}). The dialect is detected: delimiter, quoting
// with newlines inside fields, CRLF, BOM. Columns are found by name; when the header does not
// match the rows, --map field=column (1-based index or header name) says which is which.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/market.hpp"
#include "core/result.hpp"
#include "sources/social/tweet_parser.hpp"

namespace cryptolake::sources::social {

// field (id, text, created_at, author, likes, retweets, replies, lang) → column name or 1-based index
using FieldMap = std::map<std::string, std::string>;

struct PostFile {
  std::string format;  // "csv (',')", "json array", "ndjson", "x v2 response"
  size_t records = 0;  // rows or objects read
  std::vector<core::Post> posts;
  std::vector<RejectedPost> rejected;  // index = row number (1-based, header = 0)
  size_t synthesized_ids = 0;          // ids rebuilt from (author, created_at, text) because they were mangled
};

[[nodiscard]] core::Result<PostFile> parse_post_file(std::string_view bytes, const FieldMap& map,
                                                     core::Timestamp received_at);

// RFC 4180 records with the given delimiter: quoted fields may hold delimiters, quotes ("") and
// newlines; CRLF and LF both end records.
std::vector<std::vector<std::string>> parse_csv(std::string_view text, char delimiter);
char detect_delimiter(std::string_view text);

// "Tue Nov 09 04:01:46 +0000 2021" (Twitter v1.1), ISO-8601, or "2021-11-10 09:00:00".
std::optional<core::Timestamp> parse_post_time(std::string_view text);

}  // namespace cryptolake::sources::social
