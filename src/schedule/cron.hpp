// Cron expressions in UTC (no daylight saving, so no hour happens twice or never): five fields —
// minute (0-59), hour (0-23), day of month (1-31), month (1-12 or jan-dec), day of week (0-7 or
// sun-sat, 0 and 7 both Sunday) — each `*`, a value, a range `a-b`, a list `a,b`, and a step
// `*/n` or `a-b/n`; or a macro: @hourly, @daily (@midnight), @weekly, @monthly, @yearly
// (@annually). As in Vixie cron, when both day fields are restricted a day matching either runs.
// A schedule fires at the start of each matching minute; a task's logical interval runs from one
// fire time to the next, and it runs once that interval has ended (as Airflow does).
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace cryptolake::schedule {

class CronSchedule {
 public:
  // An invalid_argument error names the field and what it takes.
  [[nodiscard]] static core::Result<CronSchedule> parse(std::string_view text);

  // The first fire time strictly after `t`; nothing when none comes within eight years
  // (e.g. "0 0 30 2 *": February has no 30th).
  std::optional<core::Timestamp> next_after(core::Timestamp t) const;
  // The last fire time at or before `t`, within eight years.
  std::optional<core::Timestamp> last_at_or_before(core::Timestamp t) const;
  const std::string& text() const { return text_; }
  // The values each field allows (for exports that spell the schedule another way).
  const std::bitset<60>& minutes() const { return minutes_; }
  const std::bitset<24>& hours() const { return hours_; }
  const std::bitset<32>& days_of_month() const { return days_of_month_; }
  const std::bitset<13>& months() const { return months_; }
  const std::bitset<7>& days_of_week() const { return days_of_week_; }
  // Vixie: with both day fields restricted, a day matching either fires.
  bool day_of_month_restricted() const { return dom_restricted_; }
  bool day_of_week_restricted() const { return dow_restricted_; }

 private:
  bool day_matches(int64_t days) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // 1-31
  std::bitset<13> months_;         // 1-12
  std::bitset<7> days_of_week_;    // 0 = Sunday
  bool dom_restricted_ = false, dow_restricted_ = false;
};

}  // namespace cryptolake::schedule
