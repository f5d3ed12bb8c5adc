// Posts from files people already have: CSV exports (flattened Twitter API v1.1 as advertools
// writes it, scraper exports with ';' and Python-style lists, spreadsheet exports whose ids
// became floats like 1.00534E+18) and JSON/NDJSON (X API v2 responses, v1.1 objects, simple
// {id, user, text, created_at, likes, retweets}). The dialect is detected: delimiter, quoting
// with newlines inside fields, CRLF, BOM. Columns are found by name, in any case and under the
// usual synonyms; when the header does not match the rows, --map field=column (1-based index or
// header name) says which is which. The text stays as the file wrote it; columns the data model
// has no place for travel in `extra` (a JSON object). Dates: core/date_text.hpp.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/date_text.hpp"
#include "core/market.hpp"
#include "core/result.hpp"
#include "sources/social/tweet_parser.hpp"

namespace cryptolake::sources::social {

// field (id, text, created_at, author, likes, retweets, replies, quotes, lang, hashtags, cashtags)
// → column name (any case) or 1-based index
using FieldMap = std::map<std::string, std::string>;

struct PostFileOptions {
  FieldMap map;
  core::DayOrder day_order = core::DayOrder::unknown;  // --day-first / --month-first
  std::string date_format;                              // --date-format (strptime); wins over day_order
  size_t threads = 2;                                   // rows become posts on this many threads
};

// Rejects that share a reason, for a summary a user can act on.
struct RejectGroup {
  std::string reason;   // "created_at is not a date"
  size_t count = 0;
  std::string example;  // the first offending value, cut short
  std::string fix;      // the option or step that fixes it, or empty
};

struct PostFile {
  std::string format;  // "csv (',')", "json array", "ndjson", "x v2 response"
  size_t records = 0;  // rows or objects read
  size_t post_count = 0;          // posts read, whether kept in `posts` or handed to a sink
  std::vector<core::Post> posts;  // empty when a sink took them
  std::vector<RejectedPost> rejected;  // index = row number (1-based, header = 0)
  std::vector<RejectGroup> reasons;    // the rejects by reason, in order of first appearance
  size_t synthesized_ids = 0;          // ids rebuilt from (author, created_at, text) because they were mangled
  std::string date_reading;            // how created_at was read when a column decided it ("day-first")
};

[[nodiscard]] core::Result<PostFile> parse_post_file(std::string_view bytes, const PostFileOptions& options,
                                                     core::Timestamp received_at);

// Posts handed over while a file is read, a batch at a time (a CSV piece of about a megabyte; a
// JSON file's posts at once), so a CSV's posts are never all in memory. A CSV's batches come from
// the threads that read it, several at once and not necessarily in the file's order: `first`
// places each, and the sink must be thread-safe.
struct PostBatch {
  std::string_view format;       // as PostFile::format
  std::span<core::Post> posts;   // the sink may move them out
  size_t first = 0;              // the place of the batch's first post among the file's posts
};
using PostSink = std::function<core::Status(const PostBatch&)>;
// As above, but each batch goes to `sink`; an error from it stops the read and is returned (a
// batch already on its way on another thread may still arrive). The result counts the posts and
// keeps the rejects, its `posts` stay empty.
[[nodiscard]] core::Result<PostFile> parse_post_file(std::string_view bytes, const PostFileOptions& options,
                                                     core::Timestamp received_at, const PostSink& sink);

// Tags written in the text ("#Bitcoin", "$BTC"), without their sign, joined by core::kListSeparator.
std::string hashtags_in(std::string_view text);
std::string cashtags_in(std::string_view text);
// A tag column as exports write it: JSON or Python lists (['btc', 'eth']), or comma- or
// space-separated; signs (#, $) dropped; joined by core::kListSeparator.
std::string split_tag_list(std::string_view cell);

// RFC 4180 records with the given delimiter: quoted fields may hold delimiters, quotes ("") and
// newlines; CRLF, LF and CR end records; a blank line is no record. `scan` hands each record's
// fields to `visit`, each a view into the text or, when it had to be unescaped, into a copy that
// lives until the next record; no record is kept. A scanner reuses its buffers from scan to scan.
struct CsvScan {
  size_t end = 0;           // where the scan stopped: after the record `visit` refused, or the text's size
  bool open_quote = false;  // the text ended inside a quoted field
};
// A cache line of its own: the scanners of several threads sit side by side in a vector, and a
// scan writes its scanner at every field (sharing a line made bench posts 0.18 s or 0.29 s by chance).
class alignas(64) CsvScanner {
 public:
  explicit CsvScanner(char delimiter) : delimiter_(delimiter) {}
  // `visit` returns false to stop after the record it was given.
  using Visit = std::function<bool(std::span<const std::string_view> fields)>;
  CsvScan scan(std::string_view text, const Visit& visit);

 private:
  char delimiter_;
  std::vector<std::string_view> fields_;  // the record's
  std::deque<std::string> unescaped_;     // stable addresses; the first `used_` hold this record's copies
  size_t used_ = 0;
};
// Offsets that cut the text into pieces of about `target` bytes, each starting a record (after a
// newline outside quotes, by the parity of the quotes before it); first 0, last text.size(). A
// quote inside an unquoted field fools the parity: a piece then scans with `open_quote` set.
// The quotes are counted on `threads` threads.
std::vector<size_t> record_cuts(std::string_view text, size_t target, size_t threads = 1);
char detect_delimiter(std::string_view text);

}  // namespace cryptolake::sources::social
