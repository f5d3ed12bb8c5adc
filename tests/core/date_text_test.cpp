// Dates as exports write them. Expected instants are epoch seconds computed with `date -u -d`.
#include <gtest/gtest.h>

#include <vector>

#include "core/date_text.hpp"

namespace cryptolake::core {
namespace {

// 2021-11-09T04:01:46Z = 1636430506 (date -u -d '2021-11-09 04:01:46' +%s)
constexpr int64_t k20211109_040146 = 1636430506;

int64_t seconds(std::optional<Timestamp> t) { return t ? t->micros() / Timestamp::kMicrosPerSecond : -1; }

TEST(DateText, ReadsTheFormatsExportsCarry) {
  for (const char* text : {"2021-11-09T04:01:46Z", "2021-11-09 04:01:46", "2021-11-09T04:01:46.000Z", "2021-11-09T06:01:46+02:00",
                           "2021-11-09T06:01:46+0200", "2021-11-08T23:01:46-05", "2021/11/09 04:01:46", "2021.11.09 04:01:46",
                           "09-11-2021 04:01:46", "09/11/2021 04:01:46", "09.11.2021 04:01:46", "Tue Nov 09 04:01:46 +0000 2021",
                           "Tue Nov 09 06:01:46 +0200 2021", "1636430506", "1636430506000", "1636430506000.0", " 09/11/2021 4:01:46 am ",
                           "2021-11-09 04:01:46 UTC", "2021-11-09 04:01:46 GMT"}) {
    EXPECT_EQ(seconds(parse_date_text(text, DayOrder::day_first)), k20211109_040146) << text;
  }
  EXPECT_EQ(seconds(parse_date_text("11/09/2021 04:01:46", DayOrder::month_first)), k20211109_040146);
  // Without seconds; 12-hour clocks.
  EXPECT_EQ(seconds(parse_date_text("09-11-2021 04:01", DayOrder::day_first)), k20211109_040146 - 46);
  EXPECT_EQ(seconds(parse_date_text("11/09/2021 4:01:46 PM", DayOrder::month_first)), k20211109_040146 + 12 * 3600);
  EXPECT_EQ(seconds(parse_date_text("11/09/2021 12:01:46 AM", DayOrder::month_first)), k20211109_040146 - 4 * 3600);
  EXPECT_EQ(seconds(parse_date_text("11/09/2021 12:01:46 PM", DayOrder::month_first)), k20211109_040146 + 8 * 3600);
  EXPECT_EQ(seconds(parse_date_text("2021-11-09", DayOrder::unknown)), k20211109_040146 - 4 * 3600 - 61 - 45);
  // Fractions of epoch seconds and of clock seconds.
  EXPECT_EQ(parse_date_text("1636430506.25", DayOrder::unknown)->micros(), k20211109_040146 * 1'000'000 + 250'000);
  EXPECT_EQ(parse_date_text("2021-11-09 04:01:46.5", DayOrder::unknown)->micros(), k20211109_040146 * 1'000'000 + 500'000);
}

TEST(DateText, ProvenOrderNeedsNoHintButAnAmbiguousDateIsNeverGuessed) {
  // 25/12: only day-first fits; 12/25: only month-first fits; 05/05: both read the same.
  EXPECT_EQ(parse_date_text("25/12/2021", DayOrder::unknown), parse_date_text("2021-12-25", DayOrder::unknown));
  EXPECT_EQ(parse_date_text("12/25/2021", DayOrder::unknown), parse_date_text("2021-12-25", DayOrder::unknown));
  EXPECT_EQ(parse_date_text("05/05/2021", DayOrder::unknown), parse_date_text("2021-05-05", DayOrder::unknown));
  EXPECT_FALSE(parse_date_text("03/04/2021", DayOrder::unknown));
  EXPECT_EQ(parse_date_text("03/04/2021", DayOrder::day_first), parse_date_text("2021-04-03", DayOrder::unknown));
  EXPECT_EQ(parse_date_text("03/04/2021", DayOrder::month_first), parse_date_text("2021-03-04", DayOrder::unknown));
  // A value that contradicts the column's order is not read the other way.
  EXPECT_FALSE(parse_date_text("25/12/2021", DayOrder::month_first));
}

TEST(DateText, RefusesWhatIsNotADate) {
  for (const char* text : {"", "yesterday", "2021-13-01", "2021-02-30", "31/31/2021", "2021-11-09 25:00", "2021-11-09 04:61",
                           "13:00 PM", "2021-11-09 13:00 PM", "2021-11-09 04:01:46 +25:00", "2021-11-09 04:01:46 junk",
                           "12345", "Tue Foo 09 04:01:46 +0000 2021", "1.2.3", "--", "2021-11-09T"}) {
    EXPECT_FALSE(parse_date_text(text, DayOrder::day_first)) << text;
  }
}

TEST(DateText, ExplicitFormatsFollowStrptime) {
  EXPECT_EQ(seconds(parse_date_with_format("09.11.2021 04h01", "%d.%m.%Y %Hh%M")), k20211109_040146 - 46);
  EXPECT_EQ(seconds(parse_date_with_format("2021-11-09 06:01:46 +0200", "%Y-%m-%d %H:%M:%S %z")), k20211109_040146);
  EXPECT_FALSE(parse_date_with_format("2021-11-09 extra", "%Y-%m-%d"));
  EXPECT_FALSE(parse_date_with_format("not a date", "%Y-%m-%d"));
}

TEST(DateText, TheColumnDecidesTheOrder) {
  const std::vector<std::string_view> day_first = {"03/04/2021 10:00", "25/04/2021 10:00", "01/05/2021"};
  const auto d = infer_day_order(day_first);
  EXPECT_EQ(d.order, DayOrder::day_first);
  EXPECT_EQ(d.day_first, 1u);
  EXPECT_EQ(d.ambiguous, 2u);
  const std::vector<std::string_view> month_first = {"03/04/2021", "04/25/2021"};
  EXPECT_EQ(infer_day_order(month_first).order, DayOrder::month_first);
  const std::vector<std::string_view> ambiguous = {"03/04/2021", "04/05/2021", "2021-01-01"};
  const auto a = infer_day_order(ambiguous);
  EXPECT_EQ(a.order, DayOrder::unknown);
  EXPECT_EQ(a.ambiguous, 2u);
  EXPECT_EQ(a.ambiguous_example, "03/04/2021");
  const std::vector<std::string_view> mixed = {"25/04/2021", "04/25/2021"};
  EXPECT_EQ(infer_day_order(mixed).order, DayOrder::unknown);
}

}  // namespace
}  // namespace cryptolake::core
