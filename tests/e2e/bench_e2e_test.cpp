// The comparisons `make bench` runs, on small inputs: each finishes, checks both sides wrote the
// same rows, and prints its ratio on a line of its own (`ratio 2.61× etl (…)`) for scripts.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "support/process.hpp"

namespace cryptolake::testing {
namespace {

// The lines that read `ratio <number>× <what> …`, in order; the number is not judged here (times
// are the machine's).
// (No std::regex: GCC 12 warns inside <regex> under the sanitizers.)
std::vector<std::string> ratio_lines(const std::string& out) {
  std::vector<std::string> found;
  std::istringstream in(out);
  for (std::string text; std::getline(in, text);) {
    if (!text.starts_with("ratio ")) continue;
    const size_t times = text.find("× ", 6);
    if (times == std::string::npos || times + 3 >= text.size()) continue;
    const std::string number = text.substr(6, times - 6);
    const bool decimal = number.find('.') != std::string::npos &&
                         std::ranges::all_of(number, [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    if (decimal || number == "inf" || number == "nan") found.push_back(text);
  }
  return found;
}

TEST(Bench, EveryComparisonPrintsItsRatioOnALineOfItsOwn) {
  const struct {
    std::vector<std::string> args;
    std::vector<std::string> ratios;  // how each ratio line goes on after the number
    std::vector<std::string> written_alone;  // paths whose Parquet writing is also timed alone
  } runs[] = {
      {{"bench", "etl", "--rows", "20000", "--features"}, {"etl", "features"}, {"etl", "features"}},
      {{"bench", "import", "--symbols", "1"}, {"import"}, {"import"}},
      {{"bench", "posts", "--rows", "5000"}, {"posts csv"}, {}},
  };
  for (const auto& run : runs) {
    const ProcessResult result = run_cryptolake(run.args);
    ASSERT_EQ(result.exit_code, 0) << run.args[1] << ": " << result.err;
    const std::vector<std::string> lines = ratio_lines(result.out);
    ASSERT_EQ(lines.size(), run.ratios.size()) << result.out;
    for (size_t i = 0; i < lines.size(); ++i) {
      EXPECT_NE(lines[i].find("× " + run.ratios[i] + " ("), std::string::npos) << lines[i];
    }
    for (const std::string& what : run.written_alone) {
      EXPECT_NE(result.out.find("\n" + what + " writing alone "), std::string::npos) << result.out;
    }
  }
}

}  // namespace
}  // namespace cryptolake::testing
