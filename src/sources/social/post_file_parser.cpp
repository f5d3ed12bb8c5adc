#include "sources/social/post_file_parser.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>
#include <simdjson.h>

#include "core/decimal.hpp"
#include "core/excerpt.hpp"
#include "core/hash.hpp"
#include "core/json_text.hpp"
#include "sources/response_shape.hpp"

namespace cryptolake::sources::social {

using core::ErrorCode;
using core::fail;
using core::Timestamp;

namespace {

// Runs work(i, worker) for every i below `items` on up to `threads` threads (this one included,
// worker 0); `worker` tells a thread's own scratch from the others'.
template <typename Work>
void on_threads(size_t threads, size_t items, const Work& work) {
  std::atomic<size_t> next{0};
  const auto drain = [&](size_t worker) {
    for (size_t i = next++; i < items; i = next++) work(i, worker);
  };
  std::vector<std::jthread> helpers;
  for (size_t t = 1; t < std::min(threads, items); ++t) helpers.emplace_back(drain, t);
  drain(0);
}

// Where the next field end (the delimiter, '\n' or '\r') or quote lies, from bit masks of the text's
// bytes made 64 at a time: a field's end is one count of trailing zeros, not a loop over its
// bytes. Positions asked for only move forward, as a scan reads; the masks of one block are kept.
class ByteIndex {
 public:
  ByteIndex(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {}

  // The first field end at or after `from`, or the text's size.
  size_t field_end(size_t from) { return next(from, &ByteIndex::ends_); }
  // The first quote at or after `from`, or npos.
  size_t quote(size_t from) {
    const size_t at = next(from, &ByteIndex::quotes_);
    return at < text_.size() ? at : std::string_view::npos;
  }

 private:
  static constexpr size_t kBlock = 64;

  size_t next(size_t from, uint64_t ByteIndex::*mask) {
    for (;;) {
      const size_t block = from - from % kBlock;
      if (block >= text_.size()) return text_.size();
      if (block != base_) load(block);
      if (const uint64_t ahead = this->*mask >> (from - block); ahead != 0) return from + static_cast<size_t>(std::countr_zero(ahead));
      from = block + kBlock;
    }
  }

  void load(size_t block) {
    base_ = block;
    const char* bytes = text_.data() + block;
    alignas(16) char tail[kBlock];  // the text's last bytes, zeros after: a zero is none of the bytes looked for
    if (block + kBlock > text_.size()) {
      std::memset(tail, 0, kBlock);  // here only: a full block is read where it lies
      std::memcpy(tail, bytes, text_.size() - block);
      bytes = tail;
    }
    ends_ = quotes_ = 0;
#if defined(__SSE2__)
    const __m128i delimiters = _mm_set1_epi8(delimiter_), newlines = _mm_set1_epi8('\n'), returns = _mm_set1_epi8('\r'),
                  quotes = _mm_set1_epi8('"');
    for (size_t at = 0; at < kBlock; at += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + at));
      const __m128i ends = _mm_or_si128(_mm_cmpeq_epi8(v, delimiters), _mm_or_si128(_mm_cmpeq_epi8(v, newlines), _mm_cmpeq_epi8(v, returns)));
      ends_ |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(ends))) << at;
      quotes_ |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, quotes)))) << at;
    }
#else
    for (size_t at = 0; at < kBlock; ++at) {
      const char c = bytes[at];
      ends_ |= static_cast<uint64_t>(c == delimiter_ || c == '\n' || c == '\r') << at;
      quotes_ |= static_cast<uint64_t>(c == '"') << at;
    }
#endif
  }

  std::string_view text_;
  char delimiter_;
  size_t base_ = std::string_view::npos;
  uint64_t ends_ = 0, quotes_ = 0;  // bit i: byte base_ + i is a field end, a quote
};

}  // namespace

CsvScan CsvScanner::scan(std::string_view text, const Visit& visit) {
  CsvScan out;
  const char delimiter = delimiter_;
  const size_t n = text.size();
  ByteIndex index(text, delimiter);
  const auto field_end = [&](size_t from) { return index.field_end(from); };
  const auto unescaped = [&]() -> std::string& {  // a copy for this record, its capacity reused
    if (used_ == unescaped_.size()) unescaped_.emplace_back();
    std::string& copy = unescaped_[used_++];
    copy.clear();
    return copy;
  };
  // Hands the record on (a lone empty field is a blank line, not a record); false to stop.
  const auto end_record = [&](bool blank_allowed) {
    const bool blank = blank_allowed && fields_.size() == 1 && fields_.back().empty();
    const bool go_on = blank || fields_.empty() || visit(fields_);
    fields_.clear();
    used_ = 0;
    return go_on;
  };
  fields_.clear();
  used_ = 0;
  size_t i = 0;
  while (i < n) {
    std::string_view field;
    if (text[i] == '"') {
      // Quoted: a view while no "" needs unescaping; text after the closing quote (and before the
      // delimiter) belongs to the field too, as it stands.
      std::string* built = nullptr;
      size_t from = i + 1;
      for (size_t close = index.quote(from);; close = index.quote(from)) {
        if (close == std::string_view::npos) {  // unterminated: the rest of the text
          out.open_quote = true;
          if (built) built->append(text.substr(from)); else field = text.substr(from);
          i = n;
          break;
        }
        if (close + 1 < n && text[close + 1] == '"') {
          if (!built) built = &unescaped();
          built->append(text.substr(from, close + 1 - from));
          from = close + 2;
          continue;
        }
        if (built) built->append(text.substr(from, close - from)); else field = text.substr(from, close - from);
        i = close + 1;
        break;
      }
      if (const size_t rest = field_end(i); rest > i) {
        if (!built) (built = &unescaped())->assign(field);
        built->append(text.substr(i, rest - i));
        i = rest;
      }
      if (built) field = *built;
    } else {
      const size_t rest = field_end(i);
      field = text.substr(i, rest - i);
      i = rest;
    }
    fields_.push_back(field);
    if (i >= n) break;
    if (text[i] == delimiter) {
      if (++i == n) fields_.emplace_back();  // a trailing delimiter ends with an empty field
      continue;
    }
    if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
    ++i;
    if (!end_record(true)) {
      out.end = i;
      return out;
    }
  }
  end_record(false);  // the last record, without a line end: a lone empty field here is one ("")
  out.end = n;
  return out;
}

namespace {

// How many quotes the text holds. With SSE2, sixteen byte counters at a time, summed before any
// can pass 255 (GCC vectorises std::count by widening every byte to 64 bits; this made
// BM_ReadPostsCsv ~9 % faster).
size_t quotes_in(std::string_view text) {
  size_t count = 0, at = 0;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), zero = _mm_setzero_si128();
  while (at + 16 <= text.size()) {
    __m128i counters = zero;
    for (const size_t stop = std::min(text.size(), at + 255 * 16); at + 16 <= stop; at += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at));
      counters = _mm_sub_epi8(counters, _mm_cmpeq_epi8(v, quote));  // a match is -1
    }
    const __m128i sums = _mm_sad_epu8(counters, zero);  // two 64-bit lanes, each the sum of eight counters
    count += static_cast<size_t>(_mm_cvtsi128_si32(sums)) + static_cast<size_t>(_mm_cvtsi128_si32(_mm_srli_si128(sums, 8)));
  }
#endif
  return count + static_cast<size_t>(std::count(text.begin() + static_cast<ptrdiff_t>(at), text.end(), '"'));
}

}  // namespace

std::vector<size_t> record_cuts(std::string_view text, size_t target, size_t threads) {
  target = std::max<size_t>(target, 1);
  // A cut follows the first newline outside quotes after each whole block of `target` bytes; the
  // quotes of the blocks are counted on the threads, their running sum's parity tells "inside".
  const size_t blocks = text.size() / target;
  std::vector<size_t> quotes(blocks);
  const auto block = [&](size_t b) { return text.substr(b * target, target); };
  on_threads(threads, blocks, [&](size_t b, size_t) { quotes[b] = quotes_in(block(b)); });
  std::vector<size_t> cuts{0};
  bool quoted_before = false;  // at the end of block b
  for (size_t b = 0; b < blocks; ++b) {
    quoted_before ^= quotes[b] % 2 == 1;
    size_t at = (b + 1) * target;
    if (at < cuts.back()) continue;  // the last cut's line ran past this block
    for (bool quoted = quoted_before; at < text.size() && (quoted || text[at] != '\n'); ++at) {
      if (text[at] == '"') quoted = !quoted;
    }
    if (at + 1 >= text.size()) break;
    cuts.push_back(at + 1);
  }
  cuts.push_back(text.size());
  return cuts;
}

char detect_delimiter(std::string_view text) {
  const std::string_view first = text.substr(0, text.find('\n'));
  char best = ',';
  size_t best_count = 0;
  for (const char candidate : {',', ';', '\t', '|'}) {
    size_t count = 0;
    bool quoted = false;
    for (const char c : first) {
      if (c == '"') quoted = !quoted;
      else if (c == candidate && !quoted) ++count;
    }
    if (count > best_count) {
      best = candidate;
      best_count = count;
    }
  }
  return best;
}

namespace {

// ASCII letters and digits as the "C" locale's isalnum has them, without its call per character.
bool is_ascii_alnum(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }
bool is_tag_char(unsigned char c) { return is_ascii_alnum(c) || c == '_' || c >= 0x80; }

// A loop, not find_first_not_of: that calls memchr once per character.
bool all_digits(std::string_view text) {
  return std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

// "#word" or "$WORD" tokens: the sign starts the text or follows a character that is not a word.
std::string tags_in(std::string_view text, char sign, bool cashtag) {
  std::string joined;
  for (size_t i = text.find(sign); i < text.size(); i = text.find(sign, i + 1)) {
    if (i > 0 && is_tag_char(static_cast<unsigned char>(text[i - 1]))) continue;
    size_t end = i + 1;
    while (end < text.size() && is_tag_char(static_cast<unsigned char>(text[end])) &&
           (!cashtag || is_ascii_alnum(static_cast<unsigned char>(text[end])))) {
      ++end;
    }
    const std::string_view tag = text.substr(i + 1, end - i - 1);
    // "$5" is money and "#1" a rank, not tags; cashtags are short tickers.
    if (tag.empty() || all_digits(tag) || (cashtag && tag.size() > 10)) continue;
    if (!joined.empty()) joined += core::kListSeparator;
    joined += tag;
    i = end - 1;
  }
  return joined;
}

}  // namespace

std::string hashtags_in(std::string_view text) { return tags_in(text, '#', false); }
std::string cashtags_in(std::string_view text) { return tags_in(text, '$', true); }

std::string split_tag_list(std::string_view cell) {
  std::string joined, tag;
  const auto flush = [&] {
    if (!tag.empty()) {
      if (!joined.empty()) joined += core::kListSeparator;
      joined += tag;
    }
    tag.clear();
  };
  for (const char c : cell) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';') flush();
    else if (c != '[' && c != ']' && c != '\'' && c != '"' && !((c == '#' || c == '$') && tag.empty())) tag += c;
  }
  flush();
  return joined;
}

namespace {

// A digits-only id, or nothing when the source mangled it (1.00534E+18, 1458369669648183300.0).
std::optional<std::string_view> clean_id(std::string_view id) {
  while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
  if (id.empty() || !all_digits(id)) return std::nullopt;
  return id;
}

// Ids rebuilt from what identifies a post when the id is lost: author, time and text.
std::string synthesized_id(const core::Post& p) {
  const std::string created = p.created_at.iso();  // must outlive the loop below
  uint64_t hash = core::kFnvOffset;
  for (const std::string_view part : {std::string_view(p.author_id), std::string_view(created), std::string_view(p.text)}) {
    hash = core::fnv1a(part, hash) ^ 0x1f;
  }
  return std::to_string(hash >> 1);
}

int64_t count_of(std::string_view text) {
  if (text.empty()) return 0;  // a column the file does not have
  if (int64_t whole = 0; text.size() < 19) {  // the usual case, digits only, without a double's parse
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), whole);
    if (error == std::errc() && end == text.data() + text.size() && text.front() != '-') return whole;
  }
  const auto value = core::parse_decimal(text);
  return value ? static_cast<int64_t>(*value) : 0;
}

// Reads created_at values as one column: the order of day and month is decided once, for all.
class DateReader {
 public:
  // `evidence` is what the column's values say (core::infer_day_order); the options, when they
  // say how dates are written, win over it.
  static core::Result<DateReader> for_column(const core::DayOrderEvidence& evidence, const PostFileOptions& options) {
    DateReader reader;
    reader.format_ = options.date_format;
    reader.order_ = options.day_order;
    if (!reader.format_.empty() || reader.order_ != core::DayOrder::unknown) return reader;
    reader.order_ = evidence.order;
    if (evidence.order == core::DayOrder::unknown && evidence.ambiguous > 0) {
      if (evidence.day_first > 0 && evidence.month_first > 0) {
        return fail(ErrorCode::invalid_argument,
                    "created_at mixes day-first dates ('{}') and month-first dates ('{}'), so '{}' could be either; say how "
                    "the column is written with --date-format (e.g. '%d/%m/%Y %H:%M')",
                    evidence.day_first_example, evidence.month_first_example, evidence.ambiguous_example);
      }
      return fail(ErrorCode::invalid_argument,
                  "created_at is ambiguous: {} value(s) like '{}' read as day/month or as month/day and no value decides; "
                  "say --day-first or --month-first (or --date-format '%d/%m/%Y %H:%M')",
                  evidence.ambiguous, evidence.ambiguous_example);
    }
    if (evidence.order == core::DayOrder::day_first) reader.reading_ = fmt::format("day-first (e.g. '{}')", evidence.day_first_example);
    if (evidence.order == core::DayOrder::month_first) reader.reading_ = fmt::format("month-first (e.g. '{}')", evidence.month_first_example);
    return reader;
  }

  std::optional<Timestamp> read(std::string_view text) const {
    return format_.empty() ? core::parse_date_text(text, order_) : core::parse_date_with_format(text, format_);
  }
  const std::string& reading() const { return reading_; }
  std::string fix() const {
    return format_.empty() ? "say how the column is written with --date-format (strftime syntax, e.g. '%d.%m.%Y %H:%M')"
                           : "check --date-format against the value";
  }

 private:
  std::string format_;
  core::DayOrder order_ = core::DayOrder::unknown;
  std::string reading_;
};

void reject(PostFile& file, size_t index, std::string reason, std::string_view example, std::string_view fix, std::string record) {
  auto group = std::ranges::find(file.reasons, reason, &RejectGroup::reason);
  if (group == file.reasons.end()) {
    file.reasons.push_back({reason, 0, core::excerpt(example), std::string(fix)});
    group = file.reasons.end() - 1;
  }
  ++group->count;
  file.rejected.push_back({index, example.empty() ? std::move(reason) : fmt::format("{} ('{}')", reason, core::excerpt(example)),
                           std::move(record)});
}

// Finishes a post from its raw fields; false (and a reject) when it cannot be a post. The
// record's text is only built for a reject: most rows never need it. `utf8_known` when the bytes
// its text fields came from were validated as a whole.
template <typename RecordText>
bool finish_post(core::Post& post, std::string_view id, std::string_view created, const DateReader& dates, PostFile& file,
                 size_t index, const RecordText& record, bool utf8_known = false) {
  post.platform = "x";
  const auto utf8 = [](std::string_view text) { return simdjson::validate_utf8(text.data(), text.size()); };
  if (!utf8_known && (!utf8(post.text) || !utf8(post.author_id) || !utf8(post.extra))) {
    reject(file, index, "text is not valid UTF-8", "", "re-export the file as UTF-8", record());
    return false;
  }
  const auto when = dates.read(created);
  if (!when) {
    reject(file, index, "created_at is not a date", created, dates.fix(), record());
    return false;
  }
  post.created_at = *when;
  if (post.text.empty()) {
    reject(file, index, "empty text", "", "", record());
    return false;
  }
  if (post.hashtags.empty()) post.hashtags = hashtags_in(post.text);
  if (post.cashtags.empty()) post.cashtags = cashtags_in(post.text);
  if (auto clean = clean_id(id)) {
    post.post_id = *clean;
  } else {
    post.post_id = synthesized_id(post);
    ++file.synthesized_ids;
  }
  return true;
}

// Every field back to its default, the strings' capacity kept for the next post written here.
void clear_keeping_capacity(core::Post& post) {
  for (std::string* text : {&post.platform, &post.post_id, &post.author_id, &post.text, &post.text_clean, &post.lang, &post.hashtags,
                            &post.cashtags, &post.retweet_of, &post.extra}) {
    text->clear();
  }
  post.created_at = post.received_at = Timestamp{};
  post.like_count = post.retweet_count = post.reply_count = post.quote_count = 0;
  post.is_retweet = false;
  post.coins.reset();
  post.sentiment.reset();
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return out;
}

// Column synonyms seen in real exports, most specific first; compared in lower case.
const std::vector<std::pair<std::string, std::vector<std::string>>>& synonyms() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> names = {
      {"id", {"tweet_id_str", "id_str", "tweet_id", "id", "tweet id", "status_id", "post_id"}},
      {"text", {"tweet_full_text", "full_text", "text", "tweet", "content", "body", "message"}},
      {"created_at", {"tweet_created_at", "created_at", "date", "timestamp", "datetime", "time", "created", "posted_at"}},
      {"author", {"user_screen_name", "screen_name", "username", "user_name", "user", "handle", "author", "author_id", "user_id"}},
      {"likes", {"tweet_favorite_count", "favorite_count", "favourite_count", "likes", "like_count", "likes_count", "favorites",
                 "favourites", "favorites_count", "nlikes"}},
      {"retweets", {"tweet_retweet_count", "retweet_count", "retweets", "retweet", "retweets_count", "rts", "nretweets"}},
      {"replies", {"tweet_reply_count", "reply_count", "replies", "replies_count", "comments", "nreplies"}},
      {"quotes", {"tweet_quote_count", "quote_count", "quotes"}},
      {"lang", {"tweet_lang", "lang", "language"}},
      {"hashtags", {"tweet_entities_hashtags", "hashtags", "entities_hashtags", "hashtag", "tags"}},
      {"cashtags", {"tweet_entities_symbols", "cashtags", "symbols", "cashtag", "entities_symbols"}},
  };
  return names;
}

bool known_field(std::string_view field) {
  return std::ranges::any_of(synonyms(), [&](const auto& entry) { return entry.first == field; });
}

std::string json_object_of(const std::vector<std::pair<std::string, std::string>>& members) {
  if (members.empty()) return {};
  std::string out = "{";
  for (const auto& [key, value] : members) {
    if (out.size() > 1) out += ',';
    out += core::json_string(key);
    out += ':';
    out += value;
  }
  return out + "}";
}

// Adds a part's outcome (rows after the file's so far) to the file, keeping every order.
void append_part(PostFile& file, PostFile&& part) {
  file.records += part.records;
  file.synthesized_ids += part.synthesized_ids;
  std::move(part.posts.begin(), part.posts.end(), std::back_inserter(file.posts));
  std::move(part.rejected.begin(), part.rejected.end(), std::back_inserter(file.rejected));
  for (RejectGroup& group : part.reasons) {
    if (auto known = std::ranges::find(file.reasons, group.reason, &RejectGroup::reason); known != file.reasons.end()) {
      known->count += group.count;
    } else {
      file.reasons.push_back(std::move(group));
    }
  }
}

// A CSV read in pieces of about this size, on several threads, its posts handed on piece by piece.
constexpr size_t kPieceBytes = size_t{1} << 20;

// What the first pass learns of a piece of the body (the rows after the header).
struct PieceSurvey {
  size_t rows = 0;
  size_t mismatched = 0;                                      // rows whose field count is not the header's
  size_t first_bad = std::numeric_limits<size_t>::max();      // the first of them, within the piece
  size_t first_bad_fields = 0;
  core::DayOrderEvidence dates;
  bool utf8 = false;  // the piece's bytes are valid UTF-8 as a whole
  bool open_quote = false;
};

// The first pass over the body's pieces, on the threads (a scanner each): their rows' counts and
// field counts, the created_at column's day-order evidence (when `created_at` is given), UTF-8.
std::vector<PieceSurvey> survey_pieces(std::span<const std::string_view> pieces, std::vector<CsvScanner>& scanners, size_t header_fields,
                                       std::optional<size_t> created_at) {
  std::vector<PieceSurvey> surveys(pieces.size());
  on_threads(scanners.size(), pieces.size(), [&](size_t p, size_t worker) {
    PieceSurvey piece;  // filled here, not in place: the other thread writes the neighbouring piece's survey
    piece.utf8 = simdjson::validate_utf8(pieces[p].data(), pieces[p].size());  // once, not per field of every row
    piece.open_quote = scanners[worker].scan(pieces[p], [&](std::span<const std::string_view> row) {
      if (row.size() != header_fields && piece.mismatched++ == 0) {
        piece.first_bad = piece.rows;
        piece.first_bad_fields = row.size();
      }
      if (created_at) core::note_day_order(piece.dates, *created_at < row.size() ? row[*created_at] : std::string_view());
      ++piece.rows;
      return true;
    }).open_quote;
    surveys[p] = std::move(piece);
  });
  return surveys;
}

core::Result<PostFile> parse_csv_posts(std::string_view text, const PostFileOptions& options, Timestamp received_at,
                                       const PostSink* sink) {
  PostFile file;
  const char delimiter = detect_delimiter(text);
  file.format = fmt::format("csv ('{}')", delimiter == '\t' ? std::string("\\t") : std::string(1, delimiter));
  const size_t threads = std::clamp<size_t>(options.threads, 1, 64);
  // The header is the first record; the body, after it, is read in two passes of pieces: one
  // surveys the rows (counts, field counts, the dates' day order, UTF-8), one makes the posts.
  // Neither keeps a row: memory holds the text and a piece's posts per thread.
  std::optional<std::vector<std::string>> first_record;
  const CsvScan head = CsvScanner(delimiter).scan(text, [&](std::span<const std::string_view> fields) {
    first_record.emplace(fields.begin(), fields.end());
    return false;
  });
  if (!first_record) return fail(ErrorCode::invalid_argument, "the file has no rows");
  const std::vector<std::string> original_header = std::move(*first_record);
  const std::string_view body = text.substr(head.end);
  std::vector<std::string> header;
  for (const auto& h : original_header) header.push_back(lowercase(trim(h)));
  // Which column holds each field.
  std::map<std::string, size_t> column;
  for (const auto& [field, names] : synonyms()) {
    for (const std::string& name : names) {
      auto it = std::ranges::find(header, name);
      if (it == header.end()) continue;
      const auto index = static_cast<size_t>(it - header.begin());
      // One column answers one field: "user_id" is not the author when "username" is there.
      if (std::ranges::any_of(column, [&](const auto& taken) { return taken.second == index; })) continue;
      column[field] = index;
      break;
    }
  }
  for (const auto& [given_field, where] : options.map) {
    const std::string field = lowercase(given_field);
    if (!known_field(field)) {
      return fail(ErrorCode::invalid_argument,
                  "--map {}: unknown field (id, text, created_at, author, likes, retweets, replies, quotes, lang, hashtags, cashtags)",
                  core::excerpt(given_field));
    }
    if (auto index = core::parse_int(where); index && *index >= 1) {
      column[field] = static_cast<size_t>(*index - 1);
    } else if (auto it = std::ranges::find(header, lowercase(where)); it != header.end()) {
      column[field] = static_cast<size_t>(it - header.begin());
    } else {
      return fail(ErrorCode::invalid_argument, "--map {}={}: no such column", core::excerpt(given_field), core::excerpt(where));
    }
  }
  // Each field's column, looked up once: a row then reads its cells by index.
  enum Field { id, text_field, created_at, author, lang, likes, retweets, replies, quotes, hashtags, cashtags, kFields };
  static constexpr std::array<const char*, kFields> kNames = {"id", "text", "created_at", "author", "lang", "likes",
                                                              "retweets", "replies", "quotes", "hashtags", "cashtags"};
  std::array<std::optional<size_t>, kFields> where;
  for (size_t f = 0; f < kFields; ++f) {
    if (auto it = column.find(kNames[f]); it != column.end()) where[f] = it->second;
  }
  const auto get = [&](std::span<const std::string_view> row, Field f) -> std::string_view {
    return where[f] && *where[f] < row.size() ? row[*where[f]] : std::string_view();
  };
  std::vector<CsvScanner> scanners(threads, CsvScanner(delimiter));  // one per thread, its buffers reused
  const bool read_dates = options.date_format.empty() && options.day_order == core::DayOrder::unknown;
  const std::optional<size_t> dates_column = read_dates ? where[created_at] : std::nullopt;
  std::vector<std::string_view> pieces;
  const std::vector<size_t> cuts = record_cuts(body, kPieceBytes, threads);
  for (size_t p = 0; p + 1 < cuts.size(); ++p) pieces.push_back(body.substr(cuts[p], cuts[p + 1] - cuts[p]));
  std::vector<PieceSurvey> surveys = survey_pieces(pieces, scanners, header.size(), dates_column);
  // A piece that ends inside quotes was cut inside a field: the body is read whole, as one piece.
  if (std::any_of(surveys.begin(), surveys.end() - 1, [](const PieceSurvey& piece) { return piece.open_quote; })) {
    pieces = {body};
    surveys = survey_pieces(pieces, scanners, header.size(), dates_column);
  }
  // Row numbers: the header is row 0; piece p's rows follow the rows before it.
  std::vector<size_t> first_row{1};
  for (const PieceSurvey& piece : surveys) first_row.push_back(first_row.back() + piece.rows);
  const size_t rows = first_row.back() - 1;
  // A header that does not match its rows would put every value under the wrong name.
  if (options.map.empty() && rows > 0) {
    size_t mismatched = 0;
    for (const PieceSurvey& piece : surveys) mismatched += piece.mismatched;
    if (mismatched * 2 > rows) {
      const auto bad = std::ranges::find_if(surveys, [](const PieceSurvey& piece) { return piece.mismatched > 0; });
      const size_t p = static_cast<size_t>(bad - surveys.begin());
      return fail(ErrorCode::invalid_argument,
                  "the header has {} columns but {} of {} rows have {} (first at row {}); say which column holds what with "
                  "--map text=N --map created_at=N … (1-based)",
                  header.size(), mismatched, rows, bad->first_bad_fields, first_row[p] + bad->first_bad);
    }
  }
  if (!column.contains("text") || !column.contains("created_at")) {
    return fail(ErrorCode::invalid_argument, "no text or no created_at column found (header: {}); use --map",
                core::excerpt(fmt::format("{}", fmt::join(original_header, ", "))));
  }
  std::vector<core::DayOrderEvidence> evidence;
  for (const PieceSurvey& piece : surveys) evidence.push_back(piece.dates);
  TRY_ASSIGN(const DateReader dates, DateReader::for_column(core::combine_day_order(evidence), options));
  file.date_reading = dates.reading();
  // Every column no field took travels in `extra`, under its header name (quoted here once).
  std::vector<std::pair<size_t, std::string>> extra_columns;
  for (size_t c = 0; c < original_header.size(); ++c) {
    if (!std::ranges::any_of(column, [&](const auto& taken) { return taken.second == c; })) {
      extra_columns.emplace_back(c, core::json_string(original_header[c]) + ':');
    }
  }
  const std::string separator(1, delimiter);
  // A piece's rows (the header aside) into posts at the front of `built`, their count returned,
  // and its rejects into `part`. `built` holds the thread's posts of its last piece: written over,
  // their strings keep their capacity, so a post costs no allocation once the buffer is warm.
  const auto convert = [&](size_t p, CsvScanner& scanner, PostFile& part, std::vector<core::Post>& built) {
    const bool utf8_known = surveys[p].utf8;  // text and author are this piece's bytes; `extra` is json_string's, always UTF-8
    size_t used = 0;
    scanner.scan(pieces[p], [&](std::span<const std::string_view> row) {
      const size_t r = first_row[p] + part.records++;
      if (options.map.empty() && row.size() != header.size()) {
        reject(part, r, "the row's field count differs from the header's", fmt::format("{} fields, the header {}", row.size(), header.size()),
               "check the delimiter and quoting, or say the columns with --map", fmt::format("{}", fmt::join(row, separator)));
        return true;
      }
      if (used == built.size()) built.emplace_back();
      core::Post& post = built[used];
      clear_keeping_capacity(post);
      post.text = get(row, text_field);
      post.author_id = get(row, author);
      post.lang = get(row, lang);
      post.like_count = count_of(get(row, likes));
      post.retweet_count = count_of(get(row, retweets));
      post.reply_count = count_of(get(row, replies));
      post.quote_count = count_of(get(row, quotes));
      if (where[hashtags]) post.hashtags = split_tag_list(get(row, hashtags));
      if (where[cashtags]) post.cashtags = split_tag_list(get(row, cashtags));
      post.received_at = received_at;
      for (const auto& [c, key] : extra_columns) {  // as json_object_of writes it, into the post's own string
        if (c >= row.size()) continue;
        post.extra += post.extra.empty() ? '{' : ',';
        post.extra += key;
        core::append_json_string(post.extra, row[c]);
      }
      if (!post.extra.empty()) post.extra += '}';
      const auto record = [&] { return fmt::format("{}", fmt::join(row, separator)); };
      if (finish_post(post, get(row, id), get(row, created_at), dates, part, r, record, utf8_known)) ++used;
      return true;
    });
    return used;
  };
  // Pieces convert on the threads and join the outcome in the file's order, each waiting its turn:
  // the outcome is the one-thread one, and at most one piece's posts per thread are in memory.
  if (!sink) file.posts.reserve(rows);  // one allocation: growing by doubling moved every post again and again
  std::mutex turn_mutex;
  std::condition_variable turn_changed;
  size_t turn = 0;
  core::Status sunk;
  std::atomic<bool> stopped{false};  // a sink failed: the rest is skipped
  std::vector<std::vector<core::Post>> built(threads);  // each thread's posts, reused piece after piece
  on_threads(threads, pieces.size(), [&](size_t p, size_t worker) {
    PostFile part;
    std::vector<core::Post>& posts = built[worker];
    const size_t used = stopped ? 0 : convert(p, scanners[worker], part, posts);
    size_t first = 0;
    {
      std::unique_lock lock(turn_mutex);
      turn_changed.wait(lock, [&] { return turn == p; });
      first = file.post_count;
      file.post_count += used;
      if (!sink) std::move(posts.begin(), posts.begin() + static_cast<ptrdiff_t>(used), std::back_inserter(file.posts));
      append_part(file, std::move(part));
      ++turn;
    }
    turn_changed.notify_all();
    // Outside the turn: a sink's work (formatting, compressing, writing) runs on every thread.
    if (sink && used > 0 && !stopped) {
      if (core::Status status = (*sink)({file.format, std::span(posts.data(), used), first}); !status) {
        std::lock_guard lock(turn_mutex);
        if (sunk) sunk = std::move(status);
        stopped = true;
      }
    }
  });
  TRY(sunk);
  return file;
}

// The created_at of a JSON post as text: a string, or epoch seconds/ms as a number.
std::string created_text(simdjson::dom::object o) {
  std::string_view text;
  for (const char* key : {"created_at", "timestamp", "date"}) {
    if (o[key].get_string().get(text) == simdjson::SUCCESS) return std::string(text);
    int64_t number = 0;
    if (o[key].get_int64().get(number) == simdjson::SUCCESS) return std::to_string(number);
  }
  return {};
}

// Keys of a JSON post this reader understands; every other key goes to `extra`.
bool understood_key(std::string_view key) {
  static constexpr std::array<std::string_view, 23> kKeys = {
      "id", "id_str", "text", "full_text", "author_id", "user", "username", "screen_name", "created_at", "timestamp", "date", "lang",
      "likes", "favorite_count", "like_count", "public_metrics", "retweets", "retweet_count", "replies", "reply_count",
      "entities", "hashtags", "cashtags"};
  return std::ranges::find(kKeys, key) != kKeys.end();
}

// Tags from entities ({"hashtags": [{"tag"|"text": …}]}) or a list or text of tags.
std::string json_tags(simdjson::dom::object o, std::string_view kind, std::string_view v11_kind) {
  std::string joined;
  simdjson::dom::array items;
  for (const std::string_view k : {kind, v11_kind}) {
    if (o.at_pointer(fmt::format("/entities/{}", k)).get_array().get(items) != simdjson::SUCCESS) continue;
    for (simdjson::dom::element item : items) {
      std::string_view tag;
      if (item["tag"].get_string().get(tag) != simdjson::SUCCESS && item["text"].get_string().get(tag) != simdjson::SUCCESS) continue;
      if (!joined.empty()) joined += core::kListSeparator;
      joined += tag;
    }
    return joined;
  }
  std::string_view text;
  if (o[kind].get_string().get(text) == simdjson::SUCCESS) return split_tag_list(text);
  if (o[kind].get_array().get(items) == simdjson::SUCCESS) return split_tag_list(simdjson::minify(items));
  return joined;
}

// One JSON object: X v2, v1.1, or the simple {id, user, text, created_at, likes, retweets}.
template <typename RecordText>
bool post_from_object(simdjson::dom::object o, Timestamp received_at, const DateReader& dates, PostFile& file, size_t index,
                      const RecordText& record, core::Post& post) {
  const auto text_of = [&](const char* key) -> std::string {
    std::string_view v;
    return o[key].get_string().get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
  };
  const auto int_of = [&](const char* pointer) -> int64_t {
    int64_t v = 0;
    if (o.at_pointer(pointer).get_int64().get(v) == simdjson::SUCCESS) return v;
    std::string_view s;
    if (o.at_pointer(pointer).get_string().get(s) == simdjson::SUCCESS) return count_of(s);
    return 0;
  };
  post.received_at = received_at;
  post.text = !text_of("full_text").empty() ? text_of("full_text") : text_of("text");
  for (const char* key : {"author_id", "user", "username", "screen_name"}) {
    if (post.author_id.empty()) post.author_id = text_of(key);
  }
  std::string_view screen;
  if (post.author_id.empty() && o.at_pointer("/user/screen_name").get_string().get(screen) == simdjson::SUCCESS) post.author_id = screen;
  post.lang = text_of("lang");
  post.like_count = int_of("/likes") + int_of("/favorite_count") + int_of("/like_count") + int_of("/public_metrics/like_count");
  post.retweet_count = int_of("/retweets") + int_of("/retweet_count") + int_of("/public_metrics/retweet_count");
  post.reply_count = int_of("/replies") + int_of("/reply_count") + int_of("/public_metrics/reply_count");
  post.quote_count = int_of("/public_metrics/quote_count");
  post.hashtags = json_tags(o, "hashtags", "hashtags");
  post.cashtags = json_tags(o, "cashtags", "symbols");
  std::vector<std::pair<std::string, std::string>> extra;
  for (const auto field : o) {
    if (!understood_key(field.key)) extra.emplace_back(std::string(field.key), simdjson::minify(field.value));
  }
  post.extra = json_object_of(extra);
  std::string id = text_of("id_str");
  if (id.empty()) id = text_of("id");
  uint64_t numeric = 0;
  if (id.empty() && o["id"].get_uint64().get(numeric) == simdjson::SUCCESS) id = std::to_string(numeric);
  return finish_post(post, id, created_text(o), dates, file, index, record);
}

// Where a JSON text stops being whole: the byte after its last character when it ends inside
// an array, object or string, else nothing.
std::optional<size_t> truncated_at(std::string_view text) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return depth > 0 || in_string ? std::optional<size_t>(text.size()) : std::nullopt;
}

core::Result<PostFile> parse_json_posts(std::string_view text, const PostFileOptions& options, Timestamp received_at) {
  PostFile file;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const simdjson::padded_string padded(text);
  const size_t first = text.find_first_not_of(" \t\r\n");
  std::vector<simdjson::dom::element> items;  // a whole document's posts, read where they lie
  std::vector<std::string_view> lines;         // or NDJSON's lines
  if (const auto parsed = parser.parse(padded).get(doc); parsed == simdjson::SUCCESS) {
    const ResponseShape shape = detect_response_shape(doc);
    simdjson::dom::array array;
    if (shape == ResponseShape::x_v2_search) {
      file.format = "x v2 response";
      if (doc["data"].get_array().get(array) == simdjson::SUCCESS) items.assign(array.begin(), array.end());
    } else if (shape == ResponseShape::posts && doc.get_array().get(array) == simdjson::SUCCESS) {
      file.format = "json array";
      items.assign(array.begin(), array.end());
    } else if (shape == ResponseShape::posts) {
      file.format = "json object";
      items.push_back(doc);
    } else if (doc.get_array().get(array) == simdjson::SUCCESS && array.size() == 0) {
      file.format = "json array";
    } else {
      const std::string_view importer = importer_of(shape);
      return fail(ErrorCode::invalid_argument, "this is not a posts file: it looks like {}{}", describe(shape),
                  importer.empty() ? std::string(" (posts have a text and a created_at)") : fmt::format(": use `cryptolake {}`", importer));
    }
  } else if (text[first] == '[') {
    if (auto end = truncated_at(text)) {
      return fail(ErrorCode::corrupt_data, "the JSON array is truncated at byte {} (the file ends inside it); nothing was imported", *end);
    }
    return fail(ErrorCode::corrupt_data, "the file starts as a JSON array but is not valid JSON ({}); nothing was imported",
                simdjson::error_message(parsed));
  } else {
    file.format = "ndjson";
    for (size_t pos = 0; pos < text.size();) {
      const size_t end = std::min(text.find('\n', pos), text.size());
      std::string_view line = text.substr(pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") != std::string_view::npos) lines.push_back(line);
      pos = end + 1;
    }
    // One object over several lines is a truncated or broken document, not NDJSON.
    if (lines.size() > 1 && truncated_at(lines.front())) {
      if (auto end = truncated_at(text)) {
        return fail(ErrorCode::corrupt_data, "the JSON object is truncated at byte {} (the file ends inside it); nothing was imported", *end);
      }
    }
  }
  // Each record as an object (NDJSON lines parsed by one reused parser), or nothing.
  simdjson::dom::parser line_parser;
  const size_t count = lines.empty() ? items.size() : lines.size();
  const auto object_at = [&](size_t i, simdjson::dom::object& o) {
    if (lines.empty()) return items[i].get_object().get(o) == simdjson::SUCCESS;
    simdjson::dom::element element;
    return line_parser.parse(lines[i].data(), lines[i].size()).get(element) == simdjson::SUCCESS &&
           element.get_object().get(o) == simdjson::SUCCESS;
  };
  const auto record_of = [&](size_t i) { return lines.empty() ? simdjson::minify(items[i]) : std::string(lines[i]); };
  // The created_at column decides its day order before any record is read.
  std::vector<std::string> created(count);
  for (size_t i = 0; i < count; ++i) {
    if (simdjson::dom::object o; object_at(i, o)) created[i] = created_text(o);
  }
  const std::vector<std::string_view> created_views(created.begin(), created.end());
  TRY_ASSIGN(const DateReader dates, DateReader::for_column(core::infer_day_order(created_views), options));
  file.date_reading = dates.reading();
  for (size_t i = 0; i < count; ++i) {
    ++file.records;
    simdjson::dom::object o;
    if (!object_at(i, o)) {
      const std::string record = record_of(i);
      reject(file, i + 1, "not a JSON object", record, "", record);
      continue;
    }
    core::Post post;
    if (!post_from_object(o, received_at, dates, file, i + 1, [&] { return record_of(i); }, post)) continue;
    file.posts.push_back(std::move(post));
  }
  return file;
}

core::Result<PostFile> read_post_file(std::string_view bytes, const PostFileOptions& options, Timestamp received_at, const PostSink* sink) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  const size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return fail(ErrorCode::invalid_argument, "the file is empty");
  if (bytes[first] != '[' && bytes[first] != '{') return parse_csv_posts(bytes, options, received_at, sink);
  TRY_ASSIGN(PostFile file, parse_json_posts(bytes, options, received_at));
  file.post_count = file.posts.size();
  if (sink && !file.posts.empty()) {  // a JSON document is parsed whole: its posts go on at once
    TRY((*sink)({file.format, file.posts}));
    file.posts.clear();
  }
  return file;
}

}  // namespace

core::Result<PostFile> parse_post_file(std::string_view bytes, const PostFileOptions& options, Timestamp received_at) {
  return read_post_file(bytes, options, received_at, nullptr);
}

core::Result<PostFile> parse_post_file(std::string_view bytes, const PostFileOptions& options, Timestamp received_at, const PostSink& sink) {
  return read_post_file(bytes, options, received_at, &sink);
}

}  // namespace cryptolake::sources::social
