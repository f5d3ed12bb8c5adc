#include "core/date_text.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>

namespace cryptolake::core {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// A left-to-right reader over one value.
struct Cursor {
  std::string_view s;
  size_t i = 0;

  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  // Case-insensitive word.
  bool eat_word(std::string_view word) {
    if (s.size() - i < word.size()) return false;
    for (size_t k = 0; k < word.size(); ++k) {
      if (lower(s[i + k]) != word[k]) return false;
    }
    i += word.size();
    return true;
  }
  size_t skip_spaces() {
    const size_t from = i;
    while (!done() && is_space(s[i])) ++i;
    return i - from;
  }
  // Between `min` and `max` digits; their count goes to `count`.
  std::optional<int> number(size_t min, size_t max, size_t* count = nullptr) {
    size_t n = 0;
    int value = 0;
    while (n < max && !done() && is_digit(s[i])) {
      value = value * 10 + (s[i] - '0');
      ++i;
      ++n;
    }
    if (n < min) return std::nullopt;
    if (count != nullptr) *count = n;
    return value;
  }
};

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t micros = 0;
  int64_t offset_seconds = 0;  // east of UTC
};

std::optional<Timestamp> to_timestamp(const Fields& f) {
  const std::chrono::year_month_day date{std::chrono::year{f.year}, std::chrono::month{static_cast<unsigned>(f.month)},
                                         std::chrono::day{static_cast<unsigned>(f.day)}};
  if (f.month < 1 || f.day < 1 || !date.ok() || f.hour > 23 || f.minute > 59 || f.second > 59) return std::nullopt;
  const int64_t days = days_from_civil(f.year, static_cast<unsigned>(f.month), static_cast<unsigned>(f.day));
  const int64_t seconds = days * 86'400 + f.hour * 3600 + f.minute * 60 + f.second - f.offset_seconds;
  return Timestamp::from_micros(seconds * Timestamp::kMicrosPerSecond + f.micros);
}

// "1636430506", "1636430506.25" (seconds) or "1636430506123" (milliseconds).
std::optional<Timestamp> parse_epoch(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || whole.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  if (dot != std::string_view::npos && (fraction.empty() || fraction.find_first_not_of("0123456789") != std::string_view::npos)) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (const char c : whole) value = value * 10 + (c - '0');
  if (whole.size() == 9 || whole.size() == 10) {
    int64_t micros = 0, scale = 100'000;
    for (size_t k = 0; k < fraction.size() && k < 6; ++k, scale /= 10) micros += (fraction[k] - '0') * scale;
    return Timestamp::from_micros(value * Timestamp::kMicrosPerSecond + micros);
  }
  // Spreadsheets write milliseconds as floats: "1636430506123.0".
  if ((whole.size() == 12 || whole.size() == 13) && fraction.find_first_not_of('0') == std::string_view::npos) {
    return Timestamp::from_millis(value);
  }
  return std::nullopt;
}

// Twitter v1.1: "Tue Nov 09 04:01:46 +0000 2021".
std::optional<Timestamp> parse_v11(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  if (text.size() != 30 || text[3] != ' ' || text[7] != ' ' || text[10] != ' ' || text[19] != ' ' || text[25] != ' ') {
    return std::nullopt;
  }
  Cursor c{text, 4};
  Fields f;
  for (size_t m = 0; m < kMonths.size() && f.month == 0; ++m) {
    if (c.eat_word(kMonths[m])) f.month = static_cast<int>(m) + 1;
  }
  if (f.month == 0 || !c.eat(' ')) return std::nullopt;
  const auto day = c.number(2, 2), hour = c.eat(' ') ? c.number(2, 2) : std::nullopt;
  const auto minute = c.eat(':') ? c.number(2, 2) : std::nullopt, second = c.eat(':') ? c.number(2, 2) : std::nullopt;
  if (!day || !hour || !minute || !second || !c.eat(' ')) return std::nullopt;
  const char sign = c.peek();
  if (sign != '+' && sign != '-') return std::nullopt;
  ++c.i;
  const auto zone = c.number(4, 4);
  const auto year = c.eat(' ') ? c.number(4, 4) : std::nullopt;
  if (!zone || !year || !c.done()) return std::nullopt;
  f.year = *year;
  f.day = *day;
  f.hour = *hour;
  f.minute = *minute;
  f.second = *second;
  f.offset_seconds = (sign == '-' ? -1 : 1) * ((*zone / 100) * 3600 + (*zone % 100) * 60);
  return to_timestamp(f);
}

// The two leading fields of a "a/b/yyyy" date, when the value starts like one.
struct LeadingPair {
  int a = 0, b = 0;
};
std::optional<LeadingPair> leading_pair(std::string_view text) {
  Cursor c{trim(text)};
  const auto a = c.number(1, 2);
  const char sep = c.peek();
  if (!a || (sep != '/' && sep != '-' && sep != '.')) return std::nullopt;
  ++c.i;
  const auto b = c.number(1, 2);
  if (!b || !c.eat(sep) || !c.number(4, 4)) return std::nullopt;
  return LeadingPair{*a, *b};
}

// Date part: "yyyy-mm-dd", "yyyy/mm/dd", "yyyy.mm.dd" or "a-b-yyyy" with - / . as separator.
bool parse_date_part(Cursor& c, DayOrder order, Fields& f) {
  size_t first_digits = 0;
  const auto first = c.number(1, 4, &first_digits);
  const char sep = c.peek();
  if (!first || (sep != '-' && sep != '/' && sep != '.')) return false;
  ++c.i;
  const auto second = c.number(1, 2);
  if (!second || !c.eat(sep)) return false;
  if (first_digits == 4) {
    const auto day = c.number(1, 2);
    if (!day) return false;
    f.year = *first;
    f.month = *second;
    f.day = *day;
    return true;
  }
  if (first_digits > 2) return false;
  const auto year = c.number(4, 4);
  if (!year) return false;
  f.year = *year;
  const int a = *first, b = *second;
  DayOrder reading = order;
  if (a > 12 || b > 12) {
    if (a > 12 && b > 12) return false;
    const DayOrder proven = a > 12 ? DayOrder::day_first : DayOrder::month_first;
    if (order != DayOrder::unknown && order != proven) return false;
    reading = proven;
  } else if (a == b) {
    reading = DayOrder::day_first;  // 05/05: both readings agree
  }
  if (reading == DayOrder::unknown) return false;
  f.day = reading == DayOrder::day_first ? a : b;
  f.month = reading == DayOrder::day_first ? b : a;
  return true;
}

// ".frac" or ",frac" after the seconds, when there.
bool parse_fraction(Cursor& c, Fields& f) {
  if (c.peek() != '.' && c.peek() != ',') return true;
  ++c.i;
  int64_t micros = 0;
  size_t digits = 0;
  for (; !c.done() && is_digit(c.peek()); ++c.i, ++digits) {
    if (digits < 6) micros = micros * 10 + (c.peek() - '0');  // digits past microseconds are cut
  }
  for (size_t shown = digits; shown < 6; ++shown) micros *= 10;
  f.micros += micros;
  return digits > 0;
}

// "HH:MM[:SS[.frac]]", then an optional AM/PM.
bool parse_time_part(Cursor& c, Fields& f) {
  const auto hour = c.number(1, 2);
  if (!hour || !c.eat(':')) return false;
  const auto minute = c.number(2, 2);
  if (!minute) return false;
  f.hour = *hour;
  f.minute = *minute;
  if (c.eat(':')) {
    const auto second = c.number(2, 2);
    if (!second) return false;
    f.second = *second;
    if (!parse_fraction(c, f)) return false;
  }
  const size_t before = c.i;
  c.skip_spaces();
  const bool am = c.eat_word("am") || c.eat_word("a.m."), pm = !am && (c.eat_word("pm") || c.eat_word("p.m."));
  if (!am && !pm) {
    c.i = before;
    return true;
  }
  if (f.hour < 1 || f.hour > 12) return false;
  f.hour = (f.hour % 12) + (pm ? 12 : 0);
  return true;
}

// "Z", "UTC", "GMT", "+hh:mm", "+hhmm", "+hh" (or -).
bool parse_zone(Cursor& c, Fields& f) {
  if (c.done()) return true;
  if ((c.eat('Z') || c.eat('z') || c.eat_word("utc") || c.eat_word("gmt")) && c.done()) return true;
  const char sign = c.peek();
  if (sign != '+' && sign != '-') return c.done();
  ++c.i;
  const auto hours = c.number(2, 2);
  if (!hours) return false;
  int minutes = 0;
  const bool colon = c.eat(':');
  if (colon || !c.done()) {
    const auto m = c.number(2, 2);
    if (!m) return false;
    minutes = *m;
  }
  if (*hours > 23 || minutes > 59) return false;
  f.offset_seconds = (sign == '-' ? -1 : 1) * (*hours * 3600 + minutes * 60);
  return c.done();
}

// "yyyy-mm-dd[T ]hh:mm:ss" at the start of `t`, read by position: most values are written so.
bool parse_iso_prefix(std::string_view t, Fields& f) {
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || t[13] != ':' || t[16] != ':') {
    return false;
  }
  for (const size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (!is_digit(t[i])) return false;
  }
  const auto two = [&](size_t i) { return (t[i] - '0') * 10 + (t[i + 1] - '0'); };
  f.year = two(0) * 100 + two(2);
  f.month = two(5);
  f.day = two(8);
  f.hour = two(11);
  f.minute = two(14);
  f.second = two(17);
  return true;
}

// The order the counts prove: one side seen and not the other.
DayOrderEvidence decide_day_order(DayOrderEvidence evidence) {
  evidence.order = DayOrder::unknown;
  if (evidence.day_first > 0 && evidence.month_first == 0) evidence.order = DayOrder::day_first;
  else if (evidence.month_first > 0 && evidence.day_first == 0) evidence.order = DayOrder::month_first;
  return evidence;
}

}  // namespace

std::optional<Timestamp> parse_date_text(std::string_view text, DayOrder order) {
  text = trim(text);
  if (text.empty() || text.size() > 64) return std::nullopt;
  if (std::ranges::all_of(text, [](char c) { return is_digit(c) || c == '.'; })) {  // not find_first_not_of: a memchr per character
    if (auto epoch = parse_epoch(text)) return epoch;  // else perhaps yyyy.mm.dd
  }
  if (!is_digit(text.front())) return parse_v11(text);
  if (Fields f; parse_iso_prefix(text, f)) {
    // Then a fraction and a zone; anything else (a space, AM/PM) goes the general way below.
    Cursor c{text, 19};
    if (!parse_fraction(c, f)) return std::nullopt;
    if (c.done() || c.peek() == 'Z' || c.peek() == 'z' || c.peek() == '+' || c.peek() == '-') {
      return parse_zone(c, f) ? to_timestamp(f) : std::nullopt;
    }
  }
  Cursor c{text};
  Fields f;
  if (!parse_date_part(c, order, f)) return std::nullopt;
  if (c.done()) return to_timestamp(f);
  if (!c.eat('T') && !c.eat('t') && c.skip_spaces() == 0) return std::nullopt;
  if (!parse_time_part(c, f)) return std::nullopt;
  c.skip_spaces();
  if (!parse_zone(c, f)) return std::nullopt;
  return to_timestamp(f);
}

std::optional<Timestamp> parse_date_with_format(std::string_view text, const std::string& format) {
  const std::string value(trim(text));
  std::tm tm{};
  const char* end = ::strptime(value.c_str(), format.c_str(), &tm);
  if (end == nullptr) return std::nullopt;
  while (*end != '\0' && is_space(*end)) ++end;
  if (*end != '\0') return std::nullopt;
  Fields f;
  f.year = tm.tm_year + 1900;
  f.month = tm.tm_mon + 1;
  f.day = tm.tm_mday;
  f.hour = tm.tm_hour;
  f.minute = tm.tm_min;
  f.second = tm.tm_sec;
  f.offset_seconds = tm.tm_gmtoff;  // set by %z, else 0
  return to_timestamp(f);
}

void note_day_order(DayOrderEvidence& evidence, std::string_view value) {
  const auto pair = leading_pair(value);
  if (!pair) return;
  const auto note = [&](size_t& count, std::string& example) {
    if (count++ == 0) example = std::string(trim(value).substr(0, 40));
  };
  if (pair->a > 12 && pair->b <= 12) note(evidence.day_first, evidence.day_first_example);
  else if (pair->b > 12 && pair->a <= 12) note(evidence.month_first, evidence.month_first_example);
  else if (pair->a != pair->b && pair->a <= 12) note(evidence.ambiguous, evidence.ambiguous_example);
}

DayOrderEvidence infer_day_order(std::span<const std::string_view> values) {
  DayOrderEvidence evidence;
  for (const std::string_view value : values) note_day_order(evidence, value);
  return decide_day_order(std::move(evidence));
}

DayOrderEvidence combine_day_order(std::span<const DayOrderEvidence> parts) {
  DayOrderEvidence whole;
  const auto add = [](size_t& count, std::string& example, size_t more, const std::string& its_example) {
    if (count == 0 && more > 0) example = its_example;
    count += more;
  };
  for (const DayOrderEvidence& part : parts) {
    add(whole.day_first, whole.day_first_example, part.day_first, part.day_first_example);
    add(whole.month_first, whole.month_first_example, part.month_first, part.month_first_example);
    add(whole.ambiguous, whole.ambiguous_example, part.ambiguous, part.ambiguous_example);
  }
  return decide_day_order(std::move(whole));
}

}  // namespace cryptolake::core
