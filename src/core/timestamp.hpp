// UTC instants in microseconds since the Unix epoch: the one time type of cryptolake.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cryptolake::core {

class Timestamp {
 public:
  static constexpr int64_t kMicrosPerSecond = 1'000'000;
  static constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
  static constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
  static constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

  constexpr Timestamp() = default;
  static constexpr Timestamp from_micros(int64_t us) { return Timestamp(us); }
  static constexpr Timestamp from_millis(int64_t ms) { return Timestamp(ms * 1000); }
  static constexpr Timestamp from_seconds(int64_t s) { return Timestamp(s * kMicrosPerSecond); }
  // Sources send epoch ms or µs; the magnitude tells them apart: 1e14 ms is the year 5138,
  // 1e14 µs is 1973, so anything at or above it is µs.
  static constexpr Timestamp from_epoch_auto(int64_t v) {
    return (v >= 100'000'000'000'000 || v <= -100'000'000'000'000) ? from_micros(v) : from_millis(v);
  }
  // Parses ISO-8601 "YYYY-MM-DD[THH:MM[:SS[.ffffff]]][Z|±HH:MM]" (space allowed for T).
  static std::optional<Timestamp> parse_iso(std::string_view text);
  // Parses a civil date "YYYY-MM-DD" as midnight UTC.
  static std::optional<Timestamp> parse_date(std::string_view text) { return parse_iso(text); }

  constexpr int64_t micros() const { return us_; }
  constexpr int64_t millis() const { return floor_div(us_, 1000); }
  // Start of the UTC day / hour / minute containing this instant.
  constexpr Timestamp day_start() const { return Timestamp(floor_div(us_, kMicrosPerDay) * kMicrosPerDay); }
  constexpr Timestamp hour_start() const { return Timestamp(floor_div(us_, kMicrosPerHour) * kMicrosPerHour); }
  constexpr int64_t days_since_epoch() const { return floor_div(us_, kMicrosPerDay); }
  int hour_of_day() const { return static_cast<int>(floor_div(us_ - day_start().us_, kMicrosPerHour)); }

  std::string iso() const;        // 2024-01-01T00:00:00.000000Z
  std::string date() const;       // 2024-01-01
  std::string sql_literal() const;  // '2024-01-01 00:00:00.000000+00'

  constexpr Timestamp operator+(int64_t us) const { return Timestamp(us_ + us); }
  constexpr Timestamp operator-(int64_t us) const { return Timestamp(us_ - us); }
  constexpr int64_t operator-(Timestamp other) const { return us_ - other.us_; }
  constexpr auto operator<=>(const Timestamp&) const = default;

 private:
  constexpr explicit Timestamp(int64_t us) : us_(us) {}
  static constexpr int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
  int64_t us_ = 0;
};

// Days since 1970-01-01 for a proleptic Gregorian civil date, and back (H. Hinnant's algorithms).
int64_t days_from_civil(int y, unsigned m, unsigned d);
struct CivilDate {
  int year;
  unsigned month;
  unsigned day;
};
CivilDate civil_from_days(int64_t days);

}  // namespace cryptolake::core
