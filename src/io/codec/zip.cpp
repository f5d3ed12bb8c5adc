#include "io/codec/zip.hpp"

#include <zip.h>

#include <memory>

#include <fmt/format.h>

namespace cryptolake::io {

using core::ErrorCode;
using core::fail;

namespace {

std::string zip_error_text(zip_error_t* error) { return zip_error_strerror(error); }

}  // namespace

core::Result<std::vector<ZipMember>> read_zip(std::string_view bytes) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) {
    std::string message = zip_error_text(&error);
    zip_error_fini(&error);
    return fail(ErrorCode::corrupt_data, "zip: {}", message);
  }
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (archive == nullptr) {
    std::string message = zip_error_text(&error);
    zip_source_free(source);
    zip_error_fini(&error);
    return fail(ErrorCode::corrupt_data, "zip: {}", message);
  }
  std::unique_ptr<zip_t, decltype(&zip_discard)> owner(archive, &zip_discard);
  std::vector<ZipMember> members;
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t stat;
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat) != 0) continue;
    const std::string name = stat.name;
    if (name.ends_with('/')) continue;
    zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
    if (file == nullptr) return fail(ErrorCode::corrupt_data, "zip member {}: {}", name, zip_strerror(archive));
    std::string data(stat.size, '\0');
    zip_int64_t read = 0;
    while (read < static_cast<zip_int64_t>(data.size())) {
      const zip_int64_t n = zip_fread(file, data.data() + read, data.size() - static_cast<size_t>(read));
      if (n <= 0) break;
      read += n;
    }
    // A CRC error shows only at the end of the member: the data is provisional until then.
    const bool bad = read != static_cast<zip_int64_t>(data.size()) || zip_fclose(file) != 0;
    if (bad) return fail(ErrorCode::corrupt_data, "zip member {}: damaged (short read or CRC mismatch)", name);
    members.push_back({name, std::move(data)});
  }
  return members;
}

}  // namespace cryptolake::io
