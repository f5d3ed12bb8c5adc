#include "schedule/cron.hpp"

#include <array>
#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "core/excerpt.hpp"

namespace cryptolake::schedule {

namespace {

using core::ErrorCode;

constexpr int64_t kMinuteUs = 60'000'000;
constexpr int64_t kDayUs = 86'400'000'000;
constexpr int64_t kSearchDays = 8 * 366;  // every weekday/date combination comes round within this

struct Field {
  const char* name;
  int low, high;
  std::array<std::string_view, 13> names;  // names[i] stands for low + i
};

constexpr Field kMinute{"minute", 0, 59, {}};
constexpr Field kHour{"hour", 0, 23, {}};
constexpr Field kDayOfMonth{"day of month", 1, 31, {}};
constexpr Field kMonth{"month", 1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}};
constexpr Field kDayOfWeek{"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}};

std::vector<std::string_view> split(std::string_view text, char by) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(by, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

core::Result<int> value_of(const Field& f, std::string_view text) {
  for (size_t i = 0; i < f.names.size(); ++i) {
    if (!f.names[i].empty() && text.size() == 3 &&
        std::equal(text.begin(), text.end(), f.names[i].begin(), [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; })) {
      return f.low + static_cast<int>(i);
    }
  }
  int v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < f.low || v > f.high) {
    return core::fail(ErrorCode::invalid_argument, "{} '{}': expected {}-{}{}", f.name, core::excerpt(text, 20), f.low, f.high,
                      f.names[0].empty() ? "" : " or a name (" + std::string(f.names[0]) + "…)");
  }
  return v;
}

// The values a field allows, and whether it restricts anything (not `*`).
core::Result<std::pair<std::vector<bool>, bool>> parse_field(const Field& f, std::string_view text) {
  std::vector<bool> allowed(static_cast<size_t>(f.high + 1), false);
  bool restricted = false;
  for (std::string_view item : split(text, ',')) {
    const auto slash = split(item, '/');
    if (slash.size() > 2 || item.empty()) return core::fail(ErrorCode::invalid_argument, "{} '{}': not a cron field", f.name, core::excerpt(text, 20));
    int step = 1;
    if (slash.size() == 2) {
      const auto [end, ec] = std::from_chars(slash[1].data(), slash[1].data() + slash[1].size(), step);
      if (ec != std::errc() || end != slash[1].data() + slash[1].size() || step < 1 || step > f.high) {
        return core::fail(ErrorCode::invalid_argument, "{} '{}': the step must be 1-{}", f.name, core::excerpt(item, 20), f.high);
      }
    }
    int from = f.low, to = f.high;
    if (slash[0] == "*") {
      restricted |= step > 1;
    } else {
      restricted = true;
      const auto dash = split(slash[0], '-');
      if (dash.size() > 2) return core::fail(ErrorCode::invalid_argument, "{} '{}': not a range", f.name, core::excerpt(item, 20));
      TRY_ASSIGN(from, value_of(f, dash[0]));
      to = from;
      if (dash.size() == 2) {
        TRY_ASSIGN(to, value_of(f, dash[1]));
      } else if (slash.size() == 2) {
        to = f.high;  // "a/n": from a to the end
      }
      if (to < from) return core::fail(ErrorCode::invalid_argument, "{} '{}': the range runs backwards", f.name, core::excerpt(item, 20));
    }
    for (int v = from; v <= to; v += step) allowed[static_cast<size_t>(v)] = true;
  }
  return std::pair{std::move(allowed), restricted};
}

}  // namespace

core::Result<CronSchedule> CronSchedule::parse(std::string_view text) {
  std::string expression(text);
  while (!expression.empty() && std::isspace(static_cast<unsigned char>(expression.back()))) expression.pop_back();
  while (!expression.empty() && std::isspace(static_cast<unsigned char>(expression.front()))) expression.erase(expression.begin());
  static const std::array<std::pair<std::string_view, std::string_view>, 7> kMacros = {{
      {"@hourly", "0 * * * *"}, {"@daily", "0 0 * * *"}, {"@midnight", "0 0 * * *"}, {"@weekly", "0 0 * * 0"},
      {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}}};
  std::string_view fields_text = expression;
  for (const auto& [macro, meaning] : kMacros) {
    if (expression == macro) fields_text = meaning;
  }
  if (fields_text.starts_with('@')) {
    return core::fail(ErrorCode::invalid_argument, "'{}': the macros are @hourly, @daily, @weekly, @monthly, @yearly", core::excerpt(expression, 40));
  }
  std::vector<std::string_view> fields;
  for (std::string_view part : split(fields_text, ' ')) {
    if (!part.empty()) fields.push_back(part);
  }
  if (fields.size() != 5) {
    return core::fail(ErrorCode::invalid_argument, "'{}': a cron expression has five fields (minute hour day-of-month month day-of-week), e.g. \"0 * * * *\"",
                      core::excerpt(expression, 60));
  }
  CronSchedule s;
  s.text_ = expression;
  const auto fill = [](auto& bits, const std::vector<bool>& allowed, int low) {
    for (size_t v = static_cast<size_t>(low); v < allowed.size(); ++v) {
      if (allowed[v]) bits.set(v);
    }
  };
  TRY_ASSIGN(const auto minute, parse_field(kMinute, fields[0]));
  TRY_ASSIGN(const auto hour, parse_field(kHour, fields[1]));
  TRY_ASSIGN(const auto dom, parse_field(kDayOfMonth, fields[2]));
  TRY_ASSIGN(const auto month, parse_field(kMonth, fields[3]));
  TRY_ASSIGN(const auto dow, parse_field(kDayOfWeek, fields[4]));
  fill(s.minutes_, minute.first, 0);
  fill(s.hours_, hour.first, 0);
  fill(s.days_of_month_, dom.first, 1);
  fill(s.months_, month.first, 1);
  for (size_t d = 0; d < dow.first.size(); ++d) {
    if (dow.first[d]) s.days_of_week_.set(d % 7);  // 7 is Sunday too
  }
  s.dom_restricted_ = dom.second;
  s.dow_restricted_ = dow.second;
  return s;
}

bool CronSchedule::day_matches(int64_t days) const {
  const core::CivilDate date = core::civil_from_days(days);
  if (!months_.test(date.month)) return false;
  const bool dom = days_of_month_.test(date.day);
  const bool dow = days_of_week_.test(static_cast<size_t>(((days % 7) + 11) % 7));  // 1970-01-01 was a Thursday (4)
  if (dom_restricted_ && dow_restricted_) return dom || dow;
  return dom && dow;
}

std::optional<core::Timestamp> CronSchedule::next_after(core::Timestamp t) const {
  // The next whole minute after t, then day by day.
  int64_t minute = t.micros() / kMinuteUs * kMinuteUs;
  if (minute <= t.micros()) minute += kMinuteUs;
  int64_t day = core::Timestamp::from_micros(minute).days_since_epoch();
  int64_t from_minute = (minute - day * kDayUs) / kMinuteUs;  // minute of the day to start at
  for (int64_t i = 0; i < kSearchDays; ++i, ++day, from_minute = 0) {
    if (!day_matches(day)) continue;
    for (int64_t m = from_minute; m < 24 * 60; ++m) {
      if (hours_.test(static_cast<size_t>(m / 60)) && minutes_.test(static_cast<size_t>(m % 60))) {
        return core::Timestamp::from_micros(day * kDayUs + m * kMinuteUs);
      }
    }
  }
  return std::nullopt;
}

std::optional<core::Timestamp> CronSchedule::last_at_or_before(core::Timestamp t) const {
  const int64_t minute = (t.micros() - ((t.micros() % kMinuteUs) + kMinuteUs) % kMinuteUs);
  int64_t day = core::Timestamp::from_micros(minute).days_since_epoch();
  int64_t from_minute = (minute - day * kDayUs) / kMinuteUs;
  for (int64_t i = 0; i < kSearchDays; ++i, --day, from_minute = 24 * 60 - 1) {
    if (!day_matches(day)) continue;
    for (int64_t m = from_minute; m >= 0; --m) {
      if (hours_.test(static_cast<size_t>(m / 60)) && minutes_.test(static_cast<size_t>(m % 60))) {
        return core::Timestamp::from_micros(day * kDayUs + m * kMinuteUs);
      }
    }
  }
  return std::nullopt;
}

}  // namespace cryptolake::schedule
