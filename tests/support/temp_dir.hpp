// A fresh directory under /tmp, removed with everything in it when the test ends.
#pragma once

#include <filesystem>

namespace cryptolake::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace cryptolake::testing
