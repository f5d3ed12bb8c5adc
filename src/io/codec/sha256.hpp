// SHA-256 digests, for .CHECKSUM files and the provenance of imported files.
#pragma once

#include <string>
#include <string_view>

namespace cryptolake::io {

// SHA-256 of bytes as lowercase hex.
std::string sha256_hex(std::string_view bytes);

}  // namespace cryptolake::io
