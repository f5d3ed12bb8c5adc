// Dates as files from the wild write them: ISO 8601 (with or without T, zone, fraction),
// yyyy/mm/dd, dd-mm-yyyy, dd/mm/yyyy, mm/dd/yyyy, dd.mm.yyyy, with or without seconds, 24-hour
// or 12-hour clocks (AM/PM), Twitter v1.1 ("Tue Nov 09 04:01:46 +0000 2021"), and epoch seconds
// or milliseconds. Times without a zone are UTC. Whether "03/04/2021" is 3 April or March 4 is
// not guessed: it is decided per column from the values (a first field above 12 proves
// day-first), or said by the user.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace cryptolake::core {

enum class DayOrder { unknown, day_first, month_first };

// One value. With DayOrder::unknown a date whose first two fields could both be the month is
// refused (nullopt), as is anything else that is not a date.
std::optional<Timestamp> parse_date_text(std::string_view text, DayOrder order);

// A strftime/strptime pattern ("%d.%m.%Y %H:%M"); the whole text must match. %z is honoured,
// otherwise the time is UTC.
std::optional<Timestamp> parse_date_with_format(std::string_view text, const std::string& format);

// What the values of one column say about day and month order.
struct DayOrderEvidence {
  DayOrder order = DayOrder::unknown;
  size_t day_first = 0;    // values whose first field is above 12
  size_t month_first = 0;  // values whose second field is above 12
  size_t ambiguous = 0;    // values that read both ways, e.g. 03/04/2021
  std::string day_first_example, month_first_example, ambiguous_example;
};
DayOrderEvidence infer_day_order(std::span<const std::string_view> values);
// Adds one value's say to `evidence`: its counts and examples (`order` is decided by combine_day_order).
void note_day_order(DayOrderEvidence& evidence, std::string_view value);
// The evidence of a column's consecutive parts, in order: what infer_day_order says of the whole.
DayOrderEvidence combine_day_order(std::span<const DayOrderEvidence> parts);

}  // namespace cryptolake::core
