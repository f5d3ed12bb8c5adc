// The shared, never-edited recorded responses in ../shared/fixtures.
#pragma once

#include <cstdint>
#include <string>

namespace cryptolake::testing {

std::string fixture_path(const std::string& name);
std::string read_fixture(const std::string& name);

// How many items the JSON array at `pointer` ("" for the document itself) holds, counted by
// simdjson directly so a test's expectation does not come from the parser it tests; -1 when the
// text is not JSON or holds no array there.
int64_t json_array_size(const std::string& json, const std::string& pointer = "");

}  // namespace cryptolake::testing
