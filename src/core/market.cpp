#include "core/market.hpp"

#include "core/decimal.hpp"

namespace cryptolake::core {

int64_t interval_micros(std::string_view interval) {
  if (interval.size() < 2) return 0;
  const auto count = parse_int(interval.substr(0, interval.size() - 1));
  if (!count || *count <= 0) return 0;
  switch (interval.back()) {
    case 's': return *count * Timestamp::kMicrosPerSecond;
    case 'm': return *count * Timestamp::kMicrosPerMinute;
    case 'h': return *count * Timestamp::kMicrosPerHour;
    case 'd': return *count * Timestamp::kMicrosPerDay;
    case 'w': return *count * 7 * Timestamp::kMicrosPerDay;
    default: return 0;  // 'M' (month) has no fixed length
  }
}

std::vector<std::string_view> split_list(std::string_view joined) {
  std::vector<std::string_view> items;
  for (size_t start = 0; start < joined.size();) {
    const size_t end = std::min(joined.find(kListSeparator, start), joined.size());
    items.push_back(joined.substr(start, end - start));
    start = end + 1;
  }
  return items;
}

}  // namespace cryptolake::core
