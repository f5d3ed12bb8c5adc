#include "support/fixtures.hpp"

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

}  // namespace cryptolake::testing
