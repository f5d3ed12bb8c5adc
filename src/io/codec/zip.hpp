// Reading .zip archives held in memory (data.binance.vision ships one CSV per zip).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace cryptolake::io {

struct ZipMember {
  std::string name;
  std::string data;
};

// Every regular member, decompressed. A damaged archive or a CRC mismatch is corrupt_data.
[[nodiscard]] core::Result<std::vector<ZipMember>> read_zip(std::string_view bytes);

}  // namespace cryptolake::io
