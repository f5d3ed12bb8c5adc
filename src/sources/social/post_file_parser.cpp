#include "sources/social/post_file_parser.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>
#include <simdjson.h>

#include "core/decimal.hpp"
#include "core/excerpt.hpp"
#include "core/hash.hpp"
#include "core/json_text.hpp"
#include "sources/rates/rates_parser.hpp"

namespace cryptolake::sources::social {

using core::ErrorCode;
using core::fail;
using core::Timestamp;

std::vector<std::vector<std::string>> parse_csv(std::string_view text, char delimiter) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_started = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == delimiter) {
      record.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      record.push_back(std::move(field));
      field.clear();
      field_started = false;
      if (!(record.size() == 1 && record[0].empty())) records.push_back(std::move(record));
      record.clear();
    } else {
      field += c;
      field_started = true;
    }
  }
  if (field_started || !record.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
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

std::optional<Timestamp> parse_post_time(std::string_view text) {
  if (auto iso = Timestamp::parse_iso(text)) return iso;
  // v1.1: "Tue Nov 09 04:01:46 +0000 2021"
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() == 30 && text[3] == ' ' && text[7] == ' ' && text[19] == ' ' && text[25] == ' ') {
    const auto month = std::ranges::find(kMonths, text.substr(4, 3));
    if (month == kMonths.end()) return std::nullopt;
    const std::string iso = fmt::format("{}-{:02}-{}T{}{}:{}", text.substr(26, 4), month - kMonths.begin() + 1,
                                        text.substr(8, 2), text.substr(11, 8), text.substr(20, 3), text.substr(23, 2));
    return Timestamp::parse_iso(iso);
  }
  return std::nullopt;
}

namespace {

// A digits-only id, or nothing when the source mangled it (1.00534E+18, 1458369669648183300.0).
std::optional<std::string> clean_id(std::string_view id) {
  while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
  if (id.empty() || id.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  return std::string(id);
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
  const auto value = core::parse_decimal(text);
  return value ? static_cast<int64_t>(*value) : 0;
}

// Finishes a post from its raw fields; returns the reason when it cannot be a post.
std::string finish_post(core::Post& post, std::string_view id, std::string_view created, PostFile& file) {
  post.platform = "x";
  if (!core::is_valid_utf8(post.text) || !core::is_valid_utf8(post.author_id)) return "text is not valid UTF-8";
  post.text = rates::decode_html_entities(post.text);
  const auto when = parse_post_time(created);
  if (!when) return fmt::format("created_at '{}' is not a date", core::excerpt(created));
  post.created_at = *when;
  if (post.text.empty()) return "empty text";
  if (auto clean = clean_id(id)) {
    post.post_id = *clean;
  } else {
    post.post_id = synthesized_id(post);
    ++file.synthesized_ids;
  }
  return {};
}

// Column synonyms seen in real exports, most specific first.
const std::map<std::string, std::vector<std::string>>& synonyms() {
  static const std::map<std::string, std::vector<std::string>> names = {
      {"id", {"tweet_id_str", "id_str", "tweet_id", "id", "tweet id", "status_id"}},
      {"text", {"tweet_full_text", "full_text", "text", "tweet", "content", "body"}},
      {"created_at", {"tweet_created_at", "created_at", "date", "timestamp", "datetime", "time"}},
      {"author", {"user_screen_name", "screen_name", "username", "user", "handle", "author", "user_name"}},
      {"likes", {"tweet_favorite_count", "favorite_count", "likes", "like_count", "favorites"}},
      {"retweets", {"tweet_retweet_count", "retweet_count", "retweets"}},
      {"replies", {"reply_count", "replies", "comments"}},
      {"lang", {"tweet_lang", "lang", "language"}},
  };
  return names;
}

core::Result<PostFile> parse_csv_posts(std::string_view text, const FieldMap& map, Timestamp received_at) {
  PostFile file;
  const char delimiter = detect_delimiter(text);
  file.format = fmt::format("csv ('{}')", delimiter == '\t' ? std::string("\\t") : std::string(1, delimiter));
  auto records = parse_csv(text, delimiter);
  if (records.empty()) return fail(ErrorCode::invalid_argument, "the file has no rows");
  std::vector<std::string> header = records.front();
  for (auto& h : header) {
    std::ranges::transform(h, h.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  }
  // Which column holds each field.
  std::map<std::string, size_t> column;
  for (const auto& [field, names] : synonyms()) {
    for (const std::string& name : names) {
      if (auto it = std::ranges::find(header, name); it != header.end()) {
        column[field] = static_cast<size_t>(it - header.begin());
        break;
      }
    }
  }
  for (const auto& [field, where] : map) {
    if (!synonyms().contains(field)) return fail(ErrorCode::invalid_argument, "--map {}: unknown field (id, text, created_at, author, likes, retweets, replies, lang)", field);
    if (auto index = core::parse_int(where); index && *index >= 1) {
      column[field] = static_cast<size_t>(*index - 1);
    } else if (auto it = std::ranges::find(header, where); it != header.end()) {
      column[field] = static_cast<size_t>(it - header.begin());
    } else {
      return fail(ErrorCode::invalid_argument, "--map {}={}: no such column", field, where);
    }
  }
  // A header that does not match its rows would put every value under the wrong name.
  if (map.empty() && records.size() > 1) {
    size_t mismatched = 0, first_bad = 0;
    for (size_t r = 1; r < records.size(); ++r) {
      if (records[r].size() != header.size() && ++mismatched == 1) first_bad = r;
    }
    if (mismatched * 2 > records.size() - 1) {
      return fail(ErrorCode::invalid_argument,
                  "the header has {} columns but {} of {} rows have {} (first at row {}); say which column holds what with "
                  "--map text=N --map created_at=N … (1-based)",
                  header.size(), mismatched, records.size() - 1, records[first_bad].size(), first_bad);
    }
  }
  if (!column.contains("text") || !column.contains("created_at")) {
    return fail(ErrorCode::invalid_argument, "no text or no created_at column found (header: {}); use --map",
                core::excerpt(fmt::format("{}", fmt::join(records.front(), ", "))));
  }
  const auto get = [&](const std::vector<std::string>& row, const char* field) -> std::string_view {
    auto it = column.find(field);
    return it != column.end() && it->second < row.size() ? std::string_view(row[it->second]) : std::string_view();
  };
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& row = records[r];
    ++file.records;
    if (map.empty() && row.size() != header.size()) {
      file.rejected.push_back({r, fmt::format("row has {} fields, the header {}", row.size(), header.size()), fmt::format("{}", fmt::join(row, std::string(1, delimiter)))});
      continue;
    }
    core::Post post;
    post.text = get(row, "text");
    post.author_id = get(row, "author");
    post.lang = get(row, "lang");
    post.like_count = count_of(get(row, "likes"));
    post.retweet_count = count_of(get(row, "retweets"));
    post.reply_count = count_of(get(row, "replies"));
    post.received_at = received_at;
    if (const std::string reason = finish_post(post, get(row, "id"), get(row, "created_at"), file); !reason.empty()) {
      file.rejected.push_back({r, reason, fmt::format("{}", fmt::join(row, std::string(1, delimiter)))});
      continue;
    }
    file.posts.push_back(std::move(post));
  }
  return file;
}

// One JSON object: X v2, v1.1, or the simple {id, user, text, created_at, likes, retweets}.
std::string post_from_object(simdjson::dom::object o, Timestamp received_at, PostFile& file, core::Post& post) {
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
  post.author_id = text_of("author_id");
  if (post.author_id.empty()) post.author_id = text_of("user");
  std::string_view screen;
  if (post.author_id.empty() && o.at_pointer("/user/screen_name").get_string().get(screen) == simdjson::SUCCESS) post.author_id = screen;
  post.lang = text_of("lang");
  post.like_count = int_of("/likes") + int_of("/favorite_count") + int_of("/public_metrics/like_count");
  post.retweet_count = int_of("/retweets") + int_of("/retweet_count") + int_of("/public_metrics/retweet_count");
  post.reply_count = int_of("/public_metrics/reply_count");
  std::string id = text_of("id_str");
  if (id.empty()) id = text_of("id");
  uint64_t numeric = 0;
  if (id.empty() && o["id"].get_uint64().get(numeric) == simdjson::SUCCESS) id = std::to_string(numeric);
  return finish_post(post, id, text_of("created_at"), file);
}

core::Result<PostFile> parse_json_posts(std::string_view text, Timestamp received_at) {
  PostFile file;
  simdjson::dom::parser parser;
  std::vector<std::string> objects;  // minified JSON of each post object
  simdjson::dom::element doc;
  const simdjson::padded_string padded(text);
  if (parser.parse(padded).get(doc) == simdjson::SUCCESS) {
    simdjson::dom::array items;
    if (doc.get_array().get(items) == simdjson::SUCCESS) {
      file.format = "json array";
    } else if (doc["data"].get_array().get(items) == simdjson::SUCCESS) {
      file.format = "x v2 response";
    } else if (doc.is_object()) {
      file.format = "json object";
      objects.push_back(simdjson::minify(doc));
    }
    for (simdjson::dom::element item : items) objects.push_back(simdjson::minify(item));
  } else {
    file.format = "ndjson";
    for (size_t pos = 0; pos < text.size();) {
      const size_t end = std::min(text.find('\n', pos), text.size());
      std::string_view line = text.substr(pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) objects.emplace_back(line);
      pos = end + 1;
    }
  }
  simdjson::dom::parser item_parser;
  for (size_t i = 0; i < objects.size(); ++i) {
    ++file.records;
    simdjson::dom::element item;
    simdjson::dom::object o;
    if (item_parser.parse(objects[i]).get(item) || item.get_object().get(o)) {
      file.rejected.push_back({i + 1, "not a JSON object", objects[i]});
      continue;
    }
    core::Post post;
    if (const std::string reason = post_from_object(o, received_at, file, post); !reason.empty()) {
      file.rejected.push_back({i + 1, reason, objects[i]});
      continue;
    }
    file.posts.push_back(std::move(post));
  }
  return file;
}

}  // namespace

core::Result<PostFile> parse_post_file(std::string_view bytes, const FieldMap& map, Timestamp received_at) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  const size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return fail(ErrorCode::invalid_argument, "the file is empty");
  if (bytes[first] == '[' || bytes[first] == '{') return parse_json_posts(bytes, received_at);
  return parse_csv_posts(bytes, map, received_at);
}

}  // namespace cryptolake::sources::social
