#include "core/timestamp.hpp"

#include <gtest/gtest.h>

namespace cryptolake::core {
namespace {

TEST(Timestamp, TellsMillisecondsFromMicrosecondsByMagnitude) {
  // 2021-10-22T23:03:00Z in ms (Binance REST) and 2025-01-01T00:00:00Z in µs (spot archive 2025+).
  EXPECT_EQ(Timestamp::from_epoch_auto(1634943780000).iso(), "2021-10-22T23:03:00.000000Z");
  EXPECT_EQ(Timestamp::from_epoch_auto(1735689600000000).iso(), "2025-01-01T00:00:00.000000Z");
  EXPECT_EQ(Timestamp::from_epoch_auto(1634943780000), Timestamp::from_epoch_auto(1634943780000000));
}

TEST(Timestamp, ParsesIsoForms) {
  const Timestamp expected = Timestamp::from_micros(1'704'067'200'000'000 + 3'723'456'000);  // 2024-01-01 01:02:03.456
  EXPECT_EQ(Timestamp::parse_iso("2024-01-01T01:02:03.456Z"), expected);
  EXPECT_EQ(Timestamp::parse_iso("2024-01-01 01:02:03.456"), expected);
  EXPECT_EQ(Timestamp::parse_iso("2024-01-01T03:02:03.456+02:00"), expected);
  EXPECT_EQ(Timestamp::parse_iso("2023-12-31T20:02:03.456-0500"), expected);
  EXPECT_EQ(Timestamp::parse_iso("2024-01-01"), Timestamp::from_seconds(1'704'067'200));
  EXPECT_EQ(Timestamp::parse_iso("2024-02-29T00:00:00Z")->date(), "2024-02-29");
}

TEST(Timestamp, RejectsImpossibleDates) {
  for (const char* text : {"2023-02-29", "2024-02-30", "2024-13-01", "2024-01-01T25:00:00Z", "2024-1-01", "yesterday",
                           "2024-13-45T99:00:00.000Z", "2024-01-01T00:00:00Zjunk", ""}) {
    EXPECT_FALSE(Timestamp::parse_iso(text).has_value()) << text;
  }
}

TEST(Timestamp, DayAndHourBoundariesAreUtcAndFloorNegativeTimes) {
  const Timestamp t = *Timestamp::parse_iso("2024-03-10T23:59:59.999999Z");
  EXPECT_EQ(t.day_start().iso(), "2024-03-10T00:00:00.000000Z");
  EXPECT_EQ(t.hour_of_day(), 23);
  EXPECT_EQ((t + 1).date(), "2024-03-11");
  EXPECT_EQ(Timestamp::from_micros(-1).date(), "1969-12-31");
  EXPECT_EQ(t.sql_literal(), "'2024-03-10 23:59:59.999999+00'");
}

TEST(Timestamp, CivilDaysRoundTripOverCenturies) {
  for (int64_t day = -800000; day < 800000; day += 997) {
    const CivilDate c = civil_from_days(day);
    EXPECT_EQ(days_from_civil(c.year, c.month, c.day), day);
  }
}

}  // namespace
}  // namespace cryptolake::core
