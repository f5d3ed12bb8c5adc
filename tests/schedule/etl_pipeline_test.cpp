#include "schedule/etl_pipeline.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace cryptolake::schedule {
namespace {

// The stages run in the order given: each must read only raw data or tables an earlier stage
// wrote, or it would read yesterday's version of its input.
TEST(EtlStages, EveryCuratedInputIsWrittenByAnEarlierStage) {
  const auto stages = etl_stages();
  ASSERT_FALSE(stages.empty());
  std::set<std::string> written;
  for (const auto& stage : stages) {
    for (const std::string& input : stage->inputs()) {
      if (input.starts_with("raw/")) continue;
      ASSERT_TRUE(input.starts_with("curated/")) << stage->name() << ": " << input;
      EXPECT_TRUE(written.contains(input.substr(8))) << stage->name() << " reads " << input << " before any stage writes it";
    }
    for (const std::string& output : stage->outputs()) {
      EXPECT_TRUE(written.insert(output).second) << output << " is written by two stages";
    }
  }
  // Posts are tagged against dim_coin while they are transformed.
  std::vector<std::string_view> names;
  for (const auto& stage : stages) names.push_back(stage->name());
  EXPECT_LT(std::ranges::find(names, "dim_coin"), std::ranges::find(names, "posts"));
  EXPECT_TRUE(written.contains("market_ohlcv"));
  EXPECT_TRUE(written.contains("sentiment_price_summary"));
}

}  // namespace
}  // namespace cryptolake::schedule
