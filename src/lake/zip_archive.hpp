// Reading .zip archives held in memory (data.binance.vision ships one CSV per zip).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace cryptolake::lake {

struct ZipMember {
  std::string name;
  std::string data;
};

// Every regular member, decompressed. A damaged archive or a CRC mismatch is corrupt_data.
[[nodiscard]] core::Result<std::vector<ZipMember>> read_zip(std::string_view bytes);

// SHA-256 of bytes as lowercase hex (for .CHECKSUM files).
std::string sha256_hex(std::string_view bytes);

}  // namespace cryptolake::lake
