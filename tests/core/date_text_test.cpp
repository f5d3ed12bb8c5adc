// Dates as exports write them. Expected instants are epoch seconds computed with `date -u -d`.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cmath>
#include <random>
#include <tuple>
#include <vector>

#include <fmt/format.h>

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

TEST(DateText, TheUsualIsoFormReadsAsEveryOtherWayOfWritingIt) {
  // Instants spread over 1971–2100, written with each separator, 0–9 fraction digits and each zone
  // form; the text's fields come from std::chrono's calendar, not from the reader's own.
  std::mt19937_64 random(42);
  const auto next = [&](uint64_t below) { return random() % below; };
  constexpr int64_t kYear = int64_t{365} * 86'400 * 1'000'000;
  for (int n = 0; n < 3000; ++n) {
    const int64_t micros = kYear + static_cast<int64_t>(next(130 * kYear));
    const int offset = next(5) == 0 ? 0 : static_cast<int>(next(24 * 60 * 2 - 1)) - (24 * 60 - 1);  // minutes east of UTC
    const uint64_t zone_form = next(6), digits = next(10);
    const int64_t local_micros = micros + int64_t{offset} * 60'000'000;
    const std::chrono::sys_time<std::chrono::microseconds> local{std::chrono::microseconds(local_micros)};
    const auto day = std::chrono::floor<std::chrono::days>(local);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss clock{local - day};
    std::string text = fmt::format("{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                                   static_cast<unsigned>(ymd.day()), "Tt "[next(3)], clock.hours().count(), clock.minutes().count(),
                                   clock.seconds().count());
    if (digits > 0) text += "." + fmt::format("{:06}000", clock.subseconds().count()).substr(0, digits);
    // The text shows local time; the instant is it minus the offset it writes (none for "", Z, z).
    const char sign = offset < 0 ? '-' : '+';
    const int hours = std::abs(offset) / 60, minutes = std::abs(offset) % 60;
    int written = offset;
    if (zone_form <= 2) written = 0, text += std::array<const char*, 3>{"", "Z", "z"}[zone_form];
    if (zone_form == 3) text += fmt::format("{}{:02}:{:02}", sign, hours, minutes);
    if (zone_form == 4) text += fmt::format("{}{:02}{:02}", sign, hours, minutes);
    if (zone_form == 5) written = (offset < 0 ? -60 : 60) * hours, text += fmt::format("{}{:02}", sign, hours);
    const int64_t unit = digits >= 6 ? 1 : static_cast<int64_t>(std::pow(10, 6 - digits));  // the fraction is cut, not rounded
    const int64_t expected = local_micros - local_micros % 1'000'000 % unit - int64_t{written} * 60'000'000;
    const auto read = parse_date_text(text, DayOrder::unknown);
    ASSERT_TRUE(read) << text;
    ASSERT_EQ(read->micros(), expected) << text;
  }
  // Around the usual form: what follows the seconds decides, as the general reading does.
  EXPECT_EQ(seconds(parse_date_text("2021-11-09 04:01:46 PM", DayOrder::unknown)), k20211109_040146 + 12 * 3600);
  EXPECT_EQ(seconds(parse_date_text("2021-11-09T04:01:46 Z", DayOrder::unknown)), k20211109_040146);
  for (const char* text : {"2021-11-09T04:01:46.", "2021-11-09T04:01:46.Z", "2021-11-09T04:01:46Zjunk", "2021-11-09T04:01:46+25:00",
                           "2021-11-09T24:00:00Z", "2021-02-29T00:00:00Z", "2021-11-09T04:01:60Z", "2021-11-09T04:01:4xZ"}) {
    EXPECT_FALSE(parse_date_text(text, DayOrder::unknown)) << text;
  }
}

TEST(DateText, AColumnReadInPartsSaysWhatItSaysWhole) {
  const std::vector<std::string_view> forms = {"03/04/2021 10:00", "25/04/2021", "2021-01-01T00:00:00Z", "05/05/2021",
                                               "11.12.2020", "not a date", "", "04/25/2021 1:00 PM"};
  std::mt19937_64 random(7);
  const auto next = [&](uint64_t below) { return random() % below; };
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string_view> column(next(60));
    for (auto& value : column) value = forms[next(forms.size() - (round % 3 == 0 ? 1 : 0))];  // a third without the month-first value
    std::vector<DayOrderEvidence> parts;
    for (size_t from = 0; from < column.size() || parts.empty();) {
      const size_t count = std::min<size_t>(next(8), column.size() - from);  // empty parts too
      parts.push_back(infer_day_order(std::span(column).subspan(from, count)));
      from += count;
    }
    const DayOrderEvidence whole = infer_day_order(column), combined = combine_day_order(parts);
    ASSERT_EQ(combined.order, whole.order) << round;
    ASSERT_EQ(std::tie(combined.day_first, combined.month_first, combined.ambiguous),
              std::tie(whole.day_first, whole.month_first, whole.ambiguous)) << round;
    ASSERT_EQ(std::tie(combined.day_first_example, combined.month_first_example, combined.ambiguous_example),
              std::tie(whole.day_first_example, whole.month_first_example, whole.ambiguous_example)) << round;
  }
}

}  // namespace
}  // namespace cryptolake::core
