// Helpers for whole-program tests: ask the cryptolake binary, read its lake from the outside.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace cryptolake::testing {

// Runs `cryptolake sql --format csv` on a lake and returns the rows without the header.
inline std::vector<std::vector<std::string>> sql_rows(const std::filesystem::path& lake, const std::string& query) {
  const ProcessResult result = run_cryptolake({"sql", "--lake", lake.string(), "--format", "csv", query});
  EXPECT_EQ(result.exit_code, 0) << query << "\n" << result.err;
  std::vector<std::vector<std::string>> rows;
  size_t pos = result.out.find('\n');
  while (pos != std::string::npos && pos + 1 < result.out.size()) {
    const size_t end = result.out.find('\n', pos + 1);
    const std::string line = result.out.substr(pos + 1, end - pos - 1);
    std::vector<std::string> cells;
    size_t start = 0;
    for (size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1) {
      cells.push_back(line.substr(start, comma - start));
    }
    cells.push_back(line.substr(start));
    rows.push_back(std::move(cells));
    pos = end;
  }
  return rows;
}

// The reasons of every record quarantined under quarantine/<source>/<dataset>/, sorted, read
// from the zstd NDJSON objects as any reader would.
inline std::vector<std::string> quarantine_reasons(const std::filesystem::path& lake, const std::string& source, const std::string& dataset) {
  std::vector<std::string> reasons;
  for (const auto& row : sql_rows(lake, "SELECT reason FROM read_json('" + (lake / "quarantine" / source / dataset).string() +
                                            "/*/*/*.zst', format = 'newline_delimited') ORDER BY reason")) {
    reasons.push_back(row.at(0));
  }
  return reasons;
}

// Every curated file's bytes, by path relative to the lake — but dq_results, the log of check
// runs, which every run appends to.
inline std::map<std::string, std::string> curated_files(const std::filesystem::path& lake) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(lake / "curated")) {
    if (entry.path().string().find("/dq_results/") != std::string::npos) continue;
    if (entry.is_regular_file()) files[std::filesystem::relative(entry.path(), lake).string()] = read_file(entry.path());
  }
  return files;
}

}  // namespace cryptolake::testing
