// The shared, never-edited recorded responses in ../shared/fixtures.
#pragma once

#include <string>

namespace cryptolake::testing {

std::string fixture_path(const std::string& name);
std::string read_fixture(const std::string& name);

}  // namespace cryptolake::testing
