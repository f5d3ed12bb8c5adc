#include "io/real/local_file.hpp"

#include <fstream>
#include <sstream>

namespace cryptolake::io {

std::optional<std::string> read_local_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::error_code error;
  if (const auto size = std::filesystem::file_size(path, error); !error) {
    std::string bytes(size, '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) return std::nullopt;
    return bytes;
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace cryptolake::io
