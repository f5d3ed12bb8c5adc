#include "sources/social/post_file_import.hpp"

#include <fmt/format.h>

#include "core/json_text.hpp"
#include "io/codec/sha256.hpp"
#include "io/codec/zstd.hpp"

namespace cryptolake::sources::social {

void append_v2_tweet(std::string& out, const core::Post& p) {
  const auto entities = [](std::string_view joined) {
    std::string list = "[";
    for (const std::string_view tag : core::split_list(joined)) {
      list += fmt::format("{}{{\"tag\":{}}}", list.size() > 1 ? "," : "", core::json_string(tag));
    }
    return list + "]";
  };
  out += fmt::format("{{\"id\":\"{}\",\"text\":{},\"author_id\":{},\"created_at\":\"{}\",\"lang\":{},"
                     "\"public_metrics\":{{\"like_count\":{},\"retweet_count\":{},\"reply_count\":{},\"quote_count\":{}}},"
                     "\"entities\":{{\"hashtags\":{},\"cashtags\":{}}}{}}}",
                     p.post_id, core::json_string(p.text), core::json_string(p.author_id), p.created_at.iso(), core::json_string(p.lang),
                     p.like_count, p.retweet_count, p.reply_count, p.quote_count, entities(p.hashtags), entities(p.cashtags),
                     p.extra.empty() ? "" : ",\"extra\":" + p.extra);
}

core::Result<LandedPostFile> land_post_file(io::RawSink& raw, std::string_view file_name, std::string_view bytes,
                                            const PostFileOptions& options, core::Timestamp now) {
  LandedPostFile landed;
  const std::string sha256 = io::sha256_hex(bytes);
  // The file lands before its first envelope; posts land as the file is read, 10,000 an envelope.
  const auto land_file = [&]() -> core::Status {
    if (!landed.file_key.empty()) return {};
    TRY_ASSIGN(landed.file_key, raw.land_file({std::string(kPostImportSource), "files", now.date(), std::string(file_name) + ".zst",
                                               io::zstd_compress(bytes)}));
    return {};
  };
  std::string payload;
  size_t first = 0, in_payload = 0;
  std::string format;  // a copy: the parse's own string is gone by the last envelope
  const auto land_envelope = [&]() -> core::Status {
    payload += fmt::format("],\"meta\":{{\"result_count\":{}}}}}", in_payload);
    const core::Envelope envelope{now, std::string(kPostImportSource), "tweets",
                                  fmt::format(R"({{"file":{},"sha256":"{}","format":{},"first":{}}})", core::json_string(file_name), sha256,
                                              core::json_string(format), first),
                                  std::move(payload)};
    TRY(raw.land(std::span<const core::Envelope>(&envelope, 1)));
    first += in_payload;
    in_payload = 0;
    payload.clear();
    return {};
  };
  const PostSink sink = [&](const PostBatch& batch) -> core::Status {
    TRY(land_file());
    format = batch.format;
    for (const core::Post& post : batch.posts) {
      payload += in_payload == 0 ? "{\"data\":[" : ",";
      append_v2_tweet(payload, post);
      if (++in_payload == 10'000) TRY(land_envelope());
    }
    return {};
  };
  TRY_ASSIGN(landed.parsed, parse_post_file(bytes, options, now, sink));
  TRY(land_file());
  if (in_payload > 0) TRY(land_envelope());
  return landed;
}

}  // namespace cryptolake::sources::social
