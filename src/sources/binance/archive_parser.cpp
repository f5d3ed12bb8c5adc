#include "sources/binance/archive_parser.hpp"

#include <array>

#include "core/decimal.hpp"
#include "core/excerpt.hpp"
#include "sources/binance/kline_backfill.hpp"
#include "io/codec/sha256.hpp"

namespace cryptolake::sources::binance {

using core::ErrorCode;
using core::fail;

core::Result<ArchiveName> parse_archive_name(std::string_view filename) {
  std::string_view name = filename.substr(filename.rfind('/') + 1);
  for (std::string_view ext : {".zip", ".csv"}) {
    if (name.ends_with(ext)) name.remove_suffix(ext.size());
  }
  // SYMBOL-interval-YYYY-MM[-DD]
  const size_t first = name.find('-');
  const size_t second = first == std::string_view::npos ? first : name.find('-', first + 1);
  if (second == std::string_view::npos) {
    return fail(ErrorCode::invalid_argument, "'{}' is not named SYMBOL-interval-YYYY-MM[-DD]; give --symbol and --interval", core::excerpt(filename));
  }
  // Renamed copies keep the pattern inside: "spot_BTCUSDT-1h-2024-02_header.csv".
  std::string_view symbol = name.substr(0, first);
  if (const size_t underscore = symbol.rfind('_'); underscore != std::string_view::npos) symbol.remove_prefix(underscore + 1);
  std::string_view period = name.substr(second + 1);
  period = period.substr(0, period.find('_'));
  ArchiveName parsed;
  auto parsed_symbol = core::Symbol::parse(symbol);
  if (!parsed_symbol) {
    return fail(ErrorCode::invalid_argument, "'{}' is not named SYMBOL-interval-YYYY-MM[-DD]; give --symbol and --interval", core::excerpt(filename));
  }
  parsed.symbol = *parsed_symbol;
  parsed.interval = std::string(name.substr(first + 1, second - first - 1));
  if (parsed.interval == "1mo") parsed.interval = "1M";
  parsed.period = std::string(period);
  const bool monthly = parsed.period.size() == 7 && core::Timestamp::parse_date(parsed.period + "-01");
  const bool daily = parsed.period.size() == 10 && core::Timestamp::parse_date(parsed.period);
  if (!is_binance_interval(parsed.interval) || !(monthly || daily)) {
    return fail(ErrorCode::invalid_argument, "'{}' is not named SYMBOL-interval-YYYY-MM[-DD]; give --symbol and --interval", core::excerpt(filename));
  }
  return parsed;
}

namespace {

core::Result<core::KlineValues> parse_csv_row(std::string_view line, core::Timestamp received_at) {
  std::array<std::string_view, 12> f;
  size_t n = 0, start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    if (n < f.size()) f[n] = line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    ++n;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (n < 11 || n > 12) return fail(ErrorCode::corrupt_data, "row has {} fields, expected 12", n);
  static constexpr const char* kNames[] = {"open_time", "open", "high", "low", "close", "volume", "close_time",
                                           "quote_volume", "trades", "taker_buy_base", "taker_buy_quote"};
  const auto decimal = [&](size_t i) -> core::Result<double> {
    if (auto v = core::parse_decimal(f[i])) return *v;
    return fail(ErrorCode::corrupt_data, "{}: '{}' is not a decimal", kNames[i], core::excerpt(f[i]));
  };
  const auto integer = [&](size_t i) -> core::Result<int64_t> {
    if (auto v = core::parse_int(f[i])) return *v;
    return fail(ErrorCode::corrupt_data, "{}: '{}' is not an integer", kNames[i], core::excerpt(f[i]));
  };
  core::KlineValues k;
  TRY_ASSIGN(const int64_t open_time, integer(0));
  TRY_ASSIGN(const int64_t close_time, integer(6));
  k.open_time = core::Timestamp::from_epoch_auto(open_time);
  k.close_time = core::Timestamp::from_epoch_auto(close_time);
  TRY_ASSIGN(k.open, decimal(1));
  TRY_ASSIGN(k.high, decimal(2));
  TRY_ASSIGN(k.low, decimal(3));
  TRY_ASSIGN(k.close, decimal(4));
  TRY_ASSIGN(k.volume, decimal(5));
  TRY_ASSIGN(k.quote_volume, decimal(7));
  TRY_ASSIGN(k.trades, integer(8));
  TRY_ASSIGN(k.taker_buy_base, decimal(9));
  TRY_ASSIGN(k.taker_buy_quote, decimal(10));
  // A dump is final data: each candle counts as received the moment after it closed.
  k.received_at = received_at == core::Timestamp{} ? k.close_time + 1000 : received_at;
  TRY(check_kline(k));
  return k;
}

}  // namespace

core::Status parse_archive_csv_values(std::string_view text, core::Timestamp received_at, std::vector<core::KlineValues>& out,
                                      std::vector<RejectedRow>& rejected) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a BOM from a spreadsheet
  size_t index = 0, rows = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    ++rows;
    // A header names its columns: its first field is not a number.
    if (index == 0 && !line.empty() && (line[0] < '0' || line[0] > '9')) {
      index = 1;
      continue;
    }
    if (auto kline = parse_csv_row(line, received_at)) {
      out.push_back(*kline);
    } else {
      rejected.push_back({index, std::move(kline.error().message), std::string(line)});
    }
    ++index;
  }
  if (rows == 0) return fail(ErrorCode::corrupt_data, "no rows");
  return {};
}

core::Status parse_archive_csv(std::string_view text, const KlineContext& context, std::vector<core::Kline>& out,
                               std::vector<RejectedRow>& rejected) {
  std::vector<core::KlineValues> values;
  const core::Status parsed = parse_archive_csv_values(text, context.received_at, values, rejected);
  out.reserve(out.size() + values.size());
  for (const core::KlineValues& v : values) out.push_back(with_context(v, context));
  return parsed;
}

std::optional<int64_t> first_candle_micros(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  for (size_t pos = 0; pos < text.size();) {
    size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] < '0' || line[0] > '9') continue;  // blank or header
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto kline = parse_csv_row(line, {});
    if (!kline) return std::nullopt;
    // close_time is the candle's last ms (or µs, in spot files from 2025): + 1 of either unit.
    return (kline->close_time - kline->open_time) / 1000 * 1000 + 1000;
  }
  return std::nullopt;
}

core::Status verify_checksum(std::string_view bytes, std::string_view checksum_text, std::string_view file_name) {
  const std::string_view expected = checksum_text.substr(0, checksum_text.find_first_of(" \t\r\n"));
  if (expected.size() != 64) return fail(ErrorCode::corrupt_data, "{}.CHECKSUM does not hold a sha256", file_name);
  const std::string actual = io::sha256_hex(bytes);
  std::string lower(expected);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower != actual) {
    return fail(ErrorCode::corrupt_data, "{}: sha256 {} does not match its .CHECKSUM {}", file_name, actual, lower);
  }
  return {};
}

}  // namespace cryptolake::sources::binance
