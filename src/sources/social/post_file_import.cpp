#include "sources/social/post_file_import.hpp"

#include <algorithm>
#include <charconv>
#include <future>
#include <iterator>
#include <mutex>

#include <fmt/format.h>

#include "core/excerpt.hpp"
#include "core/json_text.hpp"
#include "io/codec/sha256.hpp"
#include "io/codec/zstd.hpp"

namespace cryptolake::sources::social {

namespace {

constexpr size_t kPostsPerEnvelope = 10'000;

}  // namespace

void append_v2_tweet(std::string& out, const core::Post& p) {
  // Appended piece by piece into `out`: a million posts are a million of these.
  const auto entities = [&](std::string_view joined) {
    out += '[';
    for (bool first = true; const std::string_view tag : core::split_list(joined)) {
      out += first ? "{\"tag\":" : ",{\"tag\":";
      core::append_json_string(out, tag);
      out += '}';
      first = false;
    }
    out += ']';
  };
  out += "{\"id\":\"";
  out += p.post_id;
  out += "\",\"text\":";
  core::append_json_string(out, p.text);
  out += ",\"author_id\":";
  core::append_json_string(out, p.author_id);
  out += ",\"created_at\":\"";
  out += p.created_at.iso();
  out += "\",\"lang\":";
  core::append_json_string(out, p.lang);
  const auto count = [&](std::string_view name, int64_t value, char after) {
    out += name;
    char digits[24];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
    out += after;
  };
  count(",\"public_metrics\":{\"like_count\":", p.like_count, ',');
  count("\"retweet_count\":", p.retweet_count, ',');
  count("\"reply_count\":", p.reply_count, ',');
  count("\"quote_count\":", p.quote_count, '}');
  out += ",\"entities\":{\"hashtags\":";
  entities(p.hashtags);
  out += ",\"cashtags\":";
  entities(p.cashtags);
  out += '}';
  if (!p.extra.empty()) {
    out += ",\"extra\":";
    out += p.extra;
  }
  out += '}';
}

core::Result<LandedPostFile> land_post_file(io::RawSink& raw, std::string_view file_name, std::string_view bytes,
                                            const PostFileOptions& options, core::Timestamp now) {
  LandedPostFile landed;
  // The file's digest and its compressed copy are made beside the reading threads; the first
  // envelope waits for both (the file lands before it, compressed at level 1 as archives are).
  const std::shared_future<std::string> sha256 = std::async(std::launch::async, [&] { return io::sha256_hex(bytes); }).share();
  std::future<std::string> compressed = std::async(std::launch::async, [&] { return io::zstd_compress(bytes, 1); });
  const auto land_file = [&]() -> core::Status {
    if (!landed.file_key.empty()) return {};
    if (!compressed.valid()) return core::fail(core::ErrorCode::io_error, "{} could not land in the raw zone", core::excerpt(file_name));
    const std::string file_zst = compressed.get();  // taken, so freed once landed
    TRY_ASSIGN(landed.file_key,
               raw.land_file({std::string(kPostImportSource), "files", now.date(), std::string(file_name) + ".zst", file_zst}));
    return {};
  };
  // A batch's posts land as envelopes of up to 10,000, each formatted and landed on the thread that
  // read them; `first` in the request places the envelope's posts in the file.
  std::mutex file_mutex;  // the file lands once, before any envelope
  const PostSink sink = [&](const PostBatch& batch) -> core::Status {
    {
      std::lock_guard lock(file_mutex);
      TRY(land_file());
    }
    std::string payload;
    for (size_t from = 0; from < batch.posts.size(); from += kPostsPerEnvelope) {
      const size_t count = std::min(kPostsPerEnvelope, batch.posts.size() - from);
      payload = "{\"data\":[";
      for (size_t i = from; i < from + count; ++i) {
        if (i > from) payload += ',';
        append_v2_tweet(payload, batch.posts[i]);
      }
      fmt::format_to(std::back_inserter(payload), "],\"meta\":{{\"result_count\":{}}}}}", count);
      const core::Envelope envelope{now, std::string(kPostImportSource), "tweets",
                                    fmt::format(R"({{"file":{},"sha256":"{}","format":{},"first":{}}})", core::json_string(file_name),
                                                sha256.get(), core::json_string(batch.format), batch.first + from),
                                    std::move(payload)};
      TRY(raw.land(std::span<const core::Envelope>(&envelope, 1)));
    }
    return {};
  };
  TRY_ASSIGN(landed.parsed, parse_post_file(bytes, options, now, sink));
  TRY(land_file());
  return landed;
}

}  // namespace cryptolake::sources::social
