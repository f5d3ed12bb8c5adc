#include "support/fixtures.hpp"

#include <simdjson.h>

#include <filesystem>
#include <stdexcept>

#include "support/process.hpp"

namespace cryptolake::testing {

std::string fixture_path(const std::string& name) { return std::string(CRYPTOLAKE_FIXTURES_DIR) + "/" + name; }

std::string read_fixture(const std::string& name) {
  const std::string path = fixture_path(name);
  if (!std::filesystem::exists(path)) throw std::runtime_error("missing fixture " + path);
  return read_file(path);
}

int64_t json_array_size(const std::string& json, const std::string& pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array array;
  if (parser.parse(json).get(doc) || doc.at_pointer(pointer).get_array().get(array)) return -1;
  return static_cast<int64_t>(array.size());
}

}  // namespace cryptolake::testing
