// A local file's bytes, for the commands that take files (import, replay) and the benchmarks that
// time them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace cryptolake::io {

// In one read when the size is known (a string stream makes two more copies of every byte);
// streamed otherwise (a pipe). Nothing when the file cannot be opened or read.
std::optional<std::string> read_local_file(const std::filesystem::path& path);

}  // namespace cryptolake::io
