#include "support/zip_writer.hpp"

#include <zip.h>

#include <stdexcept>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::testing {

std::string make_zip(const std::string& member_name, const std::string& content) {
  TempDir dir;
  const std::string path = (dir.path() / "out.zip").string();
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (archive == nullptr) throw std::runtime_error("zip_open failed");
  zip_source_t* source = zip_source_buffer(archive, content.data(), content.size(), 0);
  if (source == nullptr || zip_file_add(archive, member_name.c_str(), source, ZIP_FL_OVERWRITE) < 0) {
    zip_discard(archive);
    throw std::runtime_error("zip_file_add failed");
  }
  if (zip_close(archive) != 0) throw std::runtime_error("zip_close failed");
  return read_file(path);
}

}  // namespace cryptolake::testing
