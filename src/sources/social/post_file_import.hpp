// Landing a posts export as the live X search lands its answers: the file itself, byte for byte
// (zstd), under raw/x_import/files/, and its posts as X API v2-shaped envelopes (a piece's posts,
// up to 10,000 per envelope, dataset "tweets") so the posts transform reads both alike. Columns X has no field
// for travel under "extra"; the envelope's request names the file, its sha256 and its format.
#pragma once

#include <string>

#include "io/raw_sink.hpp"
#include "sources/social/post_file_parser.hpp"

namespace cryptolake::sources::social {

inline constexpr std::string_view kPostImportSource = "x_import";

struct LandedPostFile {
  std::string file_key;  // where the file itself landed
  PostFile parsed;       // its posts, rejects and how it was read
};

[[nodiscard]] core::Result<LandedPostFile> land_post_file(io::RawSink& raw, std::string_view file_name, std::string_view bytes,
                                                          const PostFileOptions& options, core::Timestamp now);

// One post as an X API v2 tweet object.
void append_v2_tweet(std::string& out, const core::Post& post);

}  // namespace cryptolake::sources::social
