#include "core/timestamp.hpp"

#include <charconv>

#include <fmt/format.h>

namespace cryptolake::core {

int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const auto y = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (m <= 2));
  return {y, m, d};
}

namespace {

bool read_int(std::string_view text, size_t& pos, size_t digits, int& out) {
  if (pos + digits > text.size()) return false;
  const char* begin = text.data() + pos;
  auto [ptr, ec] = std::from_chars(begin, begin + digits, out);
  if (ec != std::errc() || ptr != begin + digits) return false;
  pos += digits;
  return true;
}

bool expect(std::string_view text, size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

}  // namespace

std::optional<Timestamp> Timestamp::parse_iso(std::string_view text) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_int(text, pos, 4, year) || !expect(text, pos, '-') || !read_int(text, pos, 2, month) ||
      !expect(text, pos, '-') || !read_int(text, pos, 2, day)) {
    return std::nullopt;
  }
  static constexpr int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDaysInMonth[month - 1]) return std::nullopt;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return std::nullopt;
  int64_t micros = 0;
  int64_t offset_us = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    ++pos;
    if (!read_int(text, pos, 2, hour) || !expect(text, pos, ':') || !read_int(text, pos, 2, minute)) {
      return std::nullopt;
    }
    if (expect(text, pos, ':')) {
      if (!read_int(text, pos, 2, second)) return std::nullopt;
      if (expect(text, pos, '.')) {
        int64_t scale = 100'000;
        size_t digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (digits < 6) micros += (text[pos] - '0') * scale;
          scale /= 10;
          ++digits;
          ++pos;
        }
        if (digits == 0) return std::nullopt;
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    if (expect(text, pos, 'Z')) {
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      const int sign = text[pos] == '+' ? 1 : -1;
      ++pos;
      int oh = 0, om = 0;
      if (!read_int(text, pos, 2, oh)) return std::nullopt;
      expect(text, pos, ':');
      if (pos < text.size() && !read_int(text, pos, 2, om)) return std::nullopt;
      offset_us = sign * (oh * kMicrosPerHour + om * kMicrosPerMinute);
    }
  }
  if (pos != text.size()) return std::nullopt;
  const int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return from_micros(days * kMicrosPerDay + hour * kMicrosPerHour + minute * kMicrosPerMinute +
                     second * kMicrosPerSecond + micros - offset_us);
}

std::string Timestamp::date() const {
  const CivilDate c = civil_from_days(days_since_epoch());
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::string Timestamp::iso() const {
  const int64_t in_day = us_ - day_start().us_;
  return fmt::format("{}T{:02}:{:02}:{:02}.{:06}Z", date(), in_day / kMicrosPerHour, in_day / kMicrosPerMinute % 60,
                     in_day / kMicrosPerSecond % 60, in_day % kMicrosPerSecond);
}

std::string Timestamp::sql_literal() const {
  std::string text = iso();
  text[10] = ' ';
  text.back() = '+';
  return fmt::format("'{}00'", text);
}

}  // namespace cryptolake::core
