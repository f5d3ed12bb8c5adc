// Makes .zip files for tests (one member each), as data.binance.vision ships them.
#pragma once

#include <string>

namespace cryptolake::testing {

// Returns the bytes of a zip holding `member_name` with `content`.
std::string make_zip(const std::string& member_name, const std::string& content);

}  // namespace cryptolake::testing
