#include "schedule/cron.hpp"

#include <gtest/gtest.h>

namespace cryptolake::schedule {
namespace {

core::Timestamp at(std::string_view iso) { return *core::Timestamp::parse_iso(iso); }

std::string next(std::string_view cron, std::string_view after) {
  auto schedule = CronSchedule::parse(cron);
  EXPECT_TRUE(schedule) << cron << ": " << schedule.error().message;
  const auto t = schedule->next_after(at(after));
  return t ? t->iso() : "never";
}

TEST(Cron, NextFireTimesInUtc) {
  EXPECT_EQ(next("0 * * * *", "2024-01-01T10:20:00Z"), at("2024-01-01T11:00:00Z").iso());
  EXPECT_EQ(next("0 * * * *", "2024-01-01T11:00:00Z"), at("2024-01-01T12:00:00Z").iso()) << "strictly after";
  EXPECT_EQ(next("0 * * * *", "2024-01-01T10:59:59.999Z"), at("2024-01-01T11:00:00Z").iso());
  EXPECT_EQ(next("*/15 * * * *", "2024-01-01T10:50:00Z"), at("2024-01-01T11:00:00Z").iso());
  EXPECT_EQ(next("*/15 * * * *", "2024-01-01T10:00:30Z"), at("2024-01-01T10:15:00Z").iso());
  EXPECT_EQ(next("5,35 2-4 * * *", "2024-01-01T04:40:00Z"), at("2024-01-02T02:05:00Z").iso());
  EXPECT_EQ(next("10/20 * * * *", "2024-01-01T00:31:00Z"), at("2024-01-01T00:50:00Z").iso());
  EXPECT_EQ(next("  @hourly ", "2024-01-01T23:30:00Z"), at("2024-01-02T00:00:00Z").iso());
}

TEST(Cron, MonthEndsLeapDaysAndTheYearsEnd) {
  EXPECT_EQ(next("0 0 31 * *", "2024-01-31T00:00:00Z"), at("2024-03-31T00:00:00Z").iso()) << "February and no 31st";
  EXPECT_EQ(next("0 0 31 * *", "2024-04-01T00:00:00Z"), at("2024-05-31T00:00:00Z").iso()) << "April has 30 days";
  EXPECT_EQ(next("0 0 29 2 *", "2024-03-01T00:00:00Z"), at("2028-02-29T00:00:00Z").iso());
  EXPECT_EQ(next("0 0 29 feb *", "2023-12-31T00:00:00Z"), at("2024-02-29T00:00:00Z").iso());
  EXPECT_EQ(next("0 0 30 2 *", "2024-01-01T00:00:00Z"), "never");
  EXPECT_EQ(next("@monthly", "2024-12-31T23:59:00Z"), at("2025-01-01T00:00:00Z").iso());
  EXPECT_EQ(next("59 23 31 12 *", "2024-12-31T23:59:00Z"), at("2025-12-31T23:59:00Z").iso());
  EXPECT_EQ(next("@yearly", "2099-06-01T00:00:00Z"), at("2100-01-01T00:00:00Z").iso());
  EXPECT_EQ(next("0 0 29 2 *", "2096-03-01T00:00:00Z"), at("2104-02-29T00:00:00Z").iso()) << "2100 is not a leap year";
}

TEST(Cron, DaysOfWeekAndVixieDayMatching) {
  // 2024-01-01 was a Monday.
  EXPECT_EQ(next("0 9 * * mon-fri", "2024-01-05T10:00:00Z"), at("2024-01-08T09:00:00Z").iso());
  EXPECT_EQ(next("0 0 * * 7", "2024-01-01T00:00:00Z"), at("2024-01-07T00:00:00Z").iso()) << "7 is Sunday";
  EXPECT_EQ(next("0 0 * * 0", "2024-01-01T00:00:00Z"), at("2024-01-07T00:00:00Z").iso());
  EXPECT_EQ(next("@weekly", "2024-01-07T00:00:00Z"), at("2024-01-14T00:00:00Z").iso());
  // Both day fields restricted: the 13th or a Friday.
  EXPECT_EQ(next("0 0 13 * 5", "2024-01-06T00:00:00Z"), at("2024-01-12T00:00:00Z").iso());
  EXPECT_EQ(next("0 0 13 * 5", "2024-01-12T00:00:00Z"), at("2024-01-13T00:00:00Z").iso());
  // Only one restricted: that one alone.
  EXPECT_EQ(next("0 0 13 * *", "2024-01-12T00:00:00Z"), at("2024-01-13T00:00:00Z").iso());
  EXPECT_EQ(next("0 0 1 * */2", "2024-01-01T00:00:00Z"), at("2024-01-02T00:00:00Z").iso()) << "a stepped field restricts";
}

TEST(Cron, TheLastFireTimeAtOrBefore) {
  const auto hourly = *CronSchedule::parse("0 * * * *");
  EXPECT_EQ(hourly.last_at_or_before(at("2024-01-01T10:20:00Z"))->iso(), at("2024-01-01T10:00:00Z").iso());
  EXPECT_EQ(hourly.last_at_or_before(at("2024-01-01T10:00:00Z"))->iso(), at("2024-01-01T10:00:00Z").iso());
  const auto month_end = *CronSchedule::parse("0 0 31 * *");
  EXPECT_EQ(month_end.last_at_or_before(at("2024-03-30T00:00:00Z"))->iso(), at("2024-01-31T00:00:00Z").iso());
  EXPECT_FALSE(CronSchedule::parse("0 0 30 2 *")->last_at_or_before(at("2024-03-01T00:00:00Z")));
}

TEST(Cron, BadTextSaysWhichFieldAndWhatItTakes) {
  const auto message = [](std::string_view text) {
    auto s = CronSchedule::parse(text);
    EXPECT_FALSE(s) << text;
    return s ? std::string() : s.error().message;
  };
  EXPECT_EQ(message("61 * * * *"), "minute '61': expected 0-59");
  EXPECT_NE(message("* * *").find("five fields"), std::string::npos);
  EXPECT_EQ(message("0 0 * * 8"), "day of week '8': expected 0-7 or a name (sun…)");
  EXPECT_EQ(message("5-1 * * * *"), "minute '5-1': the range runs backwards");
  EXPECT_EQ(message("*/0 * * * *"), "minute '*/0': the step must be 1-59");
  EXPECT_NE(message("@often").find("macros"), std::string::npos);
  EXPECT_EQ(message("0 0 * foo *"), "month 'foo': expected 1-12 or a name (jan…)");
  EXPECT_EQ(message("0 0 0 * *"), "day of month '0': expected 1-31");
  EXPECT_FALSE(CronSchedule::parse("0,,5 * * * *"));
  EXPECT_FALSE(CronSchedule::parse(""));
}

}  // namespace
}  // namespace cryptolake::schedule
