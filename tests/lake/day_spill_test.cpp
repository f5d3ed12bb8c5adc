#include <gtest/gtest.h>

#include <fstream>

#include "lake/day_spill.hpp"
#include "lake/partition_writer.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::lake {
namespace {

struct Value {
  int64_t day;
  double x;
};

TEST(DaySpill, RowsComeBackPerWriterAndDayInTheOrderTheyWentAndTheFolderGoesWithTheSpill) {
  testing::TempDir dir;
  std::filesystem::path folder;
  {
    auto spill = DaySpillFiles::create("test", dir.path());
    ASSERT_TRUE(spill) << spill.error().message;
    folder = spill->folder();
    EXPECT_TRUE(spill->empty());
    const std::vector<Value> a = {{3, 1.5}, {3, 2.5}}, b = {{3, 9.0}}, c = {{5, -1.0}};
    ASSERT_TRUE(spill_rows<Value>(*spill, 0, 3, a));
    ASSERT_TRUE(spill_rows<Value>(*spill, 1, 3, b));
    ASSERT_TRUE(spill_rows<Value>(*spill, 0, 5, c));
    ASSERT_TRUE(spill_rows<Value>(*spill, 0, 3, b));  // a second spill of writer 0 appends
    EXPECT_EQ(spill->rows_by_day(), (std::map<int64_t, size_t>{{3, 4}, {5, 1}}));

    std::vector<Value> back;
    ASSERT_TRUE(read_spilled_rows(*spill, 0, 3, back));
    ASSERT_EQ(back.size(), 3u);
    EXPECT_EQ(back[0].x, 1.5);
    EXPECT_EQ(back[1].x, 2.5);
    EXPECT_EQ(back[2].x, 9.0);
    ASSERT_TRUE(read_spilled_rows(*spill, 1, 5, back));  // writer 1 spilled nothing of day 5
    EXPECT_EQ(back.size(), 3u);
    ASSERT_TRUE(read_spilled_rows(*spill, 0, 5, back));
    ASSERT_EQ(back.size(), 4u);
    EXPECT_EQ(back[3].x, -1.0);

    // A file that is not a whole number of rows is refused, not half-read.
    { std::ofstream(folder / "1-5.rows", std::ios::binary) << "xyz"; }
    std::vector<Value> torn;
    const auto status = read_spilled_rows(*spill, 1, 5, torn);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().message, "spill file of day 5 is torn");
    EXPECT_TRUE(std::filesystem::exists(folder));
  }
  EXPECT_FALSE(std::filesystem::exists(folder));
}

TEST(DaySpill, DaysAreGroupedInOrderUpToTheRowBudgetAndABigDayStandsAlone) {
  const std::map<int64_t, size_t> rows = {{1, 40}, {2, 50}, {3, 20}, {4, 300}, {5, 10}, {6, 10}};
  EXPECT_EQ(day_groups(rows, 100), (std::vector<std::vector<int64_t>>{{1, 2}, {3}, {4}, {5, 6}}));
  EXPECT_EQ(day_groups(rows, 1000), (std::vector<std::vector<int64_t>>{{1, 2, 3, 4, 5, 6}}));
  EXPECT_TRUE(day_groups({}, 10).empty());
}

}  // namespace
}  // namespace cryptolake::lake
