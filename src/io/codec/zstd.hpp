// zstd frames for the raw and quarantine zones.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace cryptolake::io {

std::string zstd_compress(std::string_view bytes, int level = 3);
[[nodiscard]] core::Result<std::string> zstd_decompress(std::string_view frame);

}  // namespace cryptolake::io
