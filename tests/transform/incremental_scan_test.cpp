#include "transform/incremental_scan.hpp"

#include <gtest/gtest.h>

namespace cryptolake::transform {
namespace {

RawObject batch(std::string key) { return {"src", "klines", std::move(key), "-"}; }

// A scan that says which days each object yields (as a real scan learns by parsing) and
// remembers what it was asked to read.
struct RecordingScan {
  std::map<std::string, std::set<int64_t>> yields;
  std::vector<std::vector<std::string>> calls;

  ScanObjects function() {
    return [this](const std::vector<RawObject>& objects) -> core::Result<DaysByObject> {
      calls.emplace_back();
      DaysByObject days;
      for (const RawObject& object : objects) {
        calls.back().push_back(object.key);
        days[object.key] = yields[object.key];
      }
      return days;
    };
  }
};

TEST(IncrementalScan, WithoutALedgerEverythingIsReadAndEveryDayRebuilt) {
  RecordingScan scan{{{"b1", {10}}, {"b2", {10, 11}}}, {}};
  auto result = scan_incrementally({batch("b1"), batch("b2")}, std::nullopt, scan.function());
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_FALSE(result->days.has_value());
  ASSERT_EQ(scan.calls.size(), 1u);
  EXPECT_EQ(scan.calls[0], (std::vector<std::string>{"b1", "b2"}));
  EXPECT_EQ(result->ledger, "b1\t-\t10\nb2\t-\t10,11\n");
}

// New objects are read, then the consumed ones with rows for the days they touch (so a day is
// rebuilt from all of its rows), and nothing else.
TEST(IncrementalScan, ReadsNewObjectsAndTheConsumedOnesSharingTheirDays) {
  RecordingScan scan{{{"b3", {11, 12}}}, {}};
  const std::string ledger = "b1\t-\t10\nb2\t-\t10,11\nb4\t-\t13\n";
  auto result = scan_incrementally({batch("b1"), batch("b2"), batch("b3"), batch("b4")}, ledger, scan.function());
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_TRUE(result->days.has_value());
  EXPECT_EQ(*result->days, (std::set<int64_t>{11, 12}));
  ASSERT_EQ(scan.calls.size(), 2u);
  EXPECT_EQ(scan.calls[0], (std::vector<std::string>{"b3"}));
  EXPECT_EQ(scan.calls[1], (std::vector<std::string>{"b2"}));  // b1 and b4 have no row on days 11-12
  EXPECT_EQ(result->ledger, "b1\t-\t10\nb2\t-\t10,11\nb3\t-\t11,12\nb4\t-\t13\n");
}

// A stage that can give the shared days from its own output is asked for exactly those days
// (those new objects touch and consumed ones have rows for), and the consumed objects are not read
// again; when it cannot, they are.
TEST(IncrementalScan, SharedDaysComeFromTheStagesOutputWhenItCanGiveThem) {
  const std::string ledger = "b1\t-\t10\nb2\t-\t10,11\nb4\t-\t13\n";
  const std::vector<RawObject> objects{batch("b1"), batch("b2"), batch("b3"), batch("b4")};
  for (const bool can : {true, false}) {
    RecordingScan scan{{{"b3", {11, 12}}}, {}};
    std::vector<std::set<int64_t>> asked;
    const LoadBuiltDays built = [&](const std::set<int64_t>& days) -> core::Result<bool> {
      asked.push_back(days);
      return can;
    };
    auto result = scan_incrementally(objects, ledger, scan.function(), built);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(*result->days, (std::set<int64_t>{11, 12}));
    EXPECT_EQ(asked, (std::vector<std::set<int64_t>>{{11}}));  // day 12 has no consumed rows to give
    ASSERT_EQ(scan.calls.size(), can ? 1u : 2u);
    EXPECT_EQ(scan.calls[0], (std::vector<std::string>{"b3"}));
    if (!can) {
      EXPECT_EQ(scan.calls[1], (std::vector<std::string>{"b2"}));
    }
    EXPECT_EQ(result->ledger, "b1\t-\t10\nb2\t-\t10,11\nb3\t-\t11,12\nb4\t-\t13\n");
  }
  // Nothing shared: the stage is not asked.
  RecordingScan scan{{{"b5", {20}}}, {}};
  bool called = false;
  auto result = scan_incrementally({batch("b1"), batch("b5")}, std::string("b1\t-\t10\n"), scan.function(),
                                   [&](const std::set<int64_t>&) -> core::Result<bool> { return called = true; });
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_FALSE(called);
}

TEST(IncrementalScan, NothingNewReadsNothing) {
  RecordingScan scan;
  auto result = scan_incrementally({batch("b1")}, std::string("b1\t-\t10\n"), scan.function());
  ASSERT_TRUE(result);
  ASSERT_TRUE(result->days.has_value());
  EXPECT_TRUE(result->days->empty());
  ASSERT_EQ(scan.calls.size(), 1u);
  EXPECT_TRUE(scan.calls[0].empty());
}

// A consumed object that is gone, or a kept file whose size changed, invalidates what was built
// from it: the run rebuilds everything.
TEST(IncrementalScan, AGoneOrChangedObjectMeansAFullRebuild) {
  RecordingScan scan{{{"b2", {10}}, {"f1", {10}}}, {}};
  auto gone = scan_incrementally({batch("b2")}, std::string("b1\t-\t10\nb2\t-\t10\n"), scan.function());
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->days.has_value());
  EXPECT_EQ(gone->ledger, "b2\t-\t10\n");

  const RawObject file{"src", "archive", "f1", "2048"};
  auto changed = scan_incrementally({file}, std::string("f1\t1024\t10\n"), scan.function());
  ASSERT_TRUE(changed);
  EXPECT_FALSE(changed->days.has_value());
  EXPECT_EQ(changed->ledger, "f1\t2048\t10\n");

  auto broken = scan_incrementally({file}, std::string("not a ledger"), scan.function());
  ASSERT_TRUE(broken);
  EXPECT_FALSE(broken->days.has_value());
}

}  // namespace
}  // namespace cryptolake::transform
