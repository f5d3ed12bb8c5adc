#include "sources/binance/archive_import.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/excerpt.hpp"

#include "io/codec/zip.hpp"
#include "sources/binance/kline_backfill.hpp"
#include "io/codec/zstd.hpp"

namespace cryptolake::sources::binance {

using core::ErrorCode;
using core::fail;

core::Result<std::string> archive_source(std::string_view market) {
  if (market == "spot") return std::string("binance");
  if (market == "um" || market == "futures/um") return std::string("binance_um");
  if (market == "cm" || market == "futures/cm") return std::string("binance_cm");
  return fail(ErrorCode::invalid_argument, "market '{}' is not spot, um or cm", market);
}

namespace {

// The Binance interval whose candles last `micros`, or "other".
std::string_view interval_of_length(int64_t micros) {
  for (const std::string_view interval : kBinanceIntervals) {
    if (core::interval_micros(interval) == micros) return interval;
  }
  return "other";
}

}  // namespace

core::Result<LandedArchive> land_archive(io::RawSink& raw, std::string_view source, const ArchiveFile& file) {
  LandedArchive landed;
  if (file.checksum) {
    TRY(verify_checksum(file.bytes, *file.checksum, file.name));
    landed.checksum_verified = true;
  }
  auto from_name = parse_archive_name(file.name);
  if (!from_name && !(file.symbol && file.interval && file.period)) {
    std::vector<std::string_view> missing;
    if (!file.symbol) missing.emplace_back("--symbol (e.g. BTCUSDT)");
    if (!file.interval) missing.emplace_back("--interval (e.g. 1h)");
    if (!file.period) missing.emplace_back("--period (YYYY-MM or YYYY-MM-DD)");
    return fail(ErrorCode::invalid_argument, "{}: the name does not say SYMBOL-interval-YYYY-MM[-DD]; give {}", core::excerpt(file.name),
                fmt::join(missing, ", "));
  }
  ArchiveName name = from_name.value_or(ArchiveName{});
  if (file.symbol) name.symbol = *file.symbol;
  if (file.interval) name.interval = *file.interval;
  if (file.period) name.period = *file.period;
  if (!is_binance_interval(name.interval)) {
    return fail(ErrorCode::invalid_argument, "{}: interval '{}' is not a Binance interval", file.name, name.interval);
  }
  const bool zip = file.bytes.starts_with("PK\x03\x04");
  const std::string day = name.period.size() == 7 ? name.period + "-01" : name.period;
  if (!core::Timestamp::parse_date(day)) return fail(ErrorCode::invalid_argument, "{}: period '{}' is not a date", file.name, name.period);
  const std::string object_name = fmt::format("{}-{}-{}.{}", name.symbol.exchange(), name.interval == "1M" ? "1mo" : name.interval,
                                              name.period, zip ? "zip" : "csv.zst");
  // A mislabelled file would land every candle under the wrong interval and make gaps of the rest.
  if (const int64_t expected = core::interval_micros(name.interval); expected > 0) {
    std::string unzipped;
    if (zip) {
      TRY_ASSIGN(unzipped, archive_csv_text(object_name, file.bytes));
    }
    const auto span = first_candle_micros(zip ? std::string_view(unzipped) : std::string_view(file.bytes));
    if (span && *span != expected) {
      return fail(ErrorCode::invalid_argument, "{}: the rows are {} candles (close_time − open_time + 1 = {} ms) but the interval is {}{}",
                  core::excerpt(file.name), interval_of_length(*span), *span / 1000, name.interval, file.interval ? "; fix --interval" : "");
    }
  }
  // Level 1: dumps are large and already final; speed matters more than the last few percent.
  const std::string compressed = zip ? std::string() : io::zstd_compress(file.bytes, 1);
  TRY_ASSIGN(landed.key, raw.land_file({std::string(source), "archive", day, object_name, zip ? std::string_view(file.bytes) : std::string_view(compressed)}));
  landed.name = std::move(name);
  return landed;
}

LandedArchives land_archives(io::RawSink& raw, std::string_view source, size_t count,
                             const std::function<core::Result<ArchiveFile>(size_t i)>& file_at, size_t threads,
                             const std::function<void(size_t done, std::string_view name)>& landed_one, std::stop_token stop) {
  if (count == 0) return {};
  // Per file, written by the one thread that took it: not taken (a stop came first), landed, or why not.
  std::vector<std::optional<core::Result<LandedArchive>>> outcomes(count);
  std::atomic<size_t> next{0}, done{0};
  const auto work = [&] {
    for (size_t i = next++; i < count && !stop.stop_requested(); i = next++) {
      auto file = file_at(i);
      outcomes[i] = file ? land_archive(raw, source, *file) : std::unexpected(file.error());
      const size_t finished = ++done;
      if (landed_one) landed_one(finished, file ? std::string_view(file->name) : std::string_view());
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (size_t t = 1; t < std::clamp<size_t>(threads, 1, count); ++t) helpers.emplace_back(work);
    work();
  }
  LandedArchives summary;
  for (auto& outcome : outcomes) {
    if (!outcome) continue;
    if (!*outcome) {
      summary.problems.push_back(std::move(outcome->error().message));
      continue;
    }
    ++summary.landed;
    summary.verified += (*outcome)->checksum_verified ? 1 : 0;
  }
  return summary;
}

core::Result<std::string> archive_csv_text(std::string_view key, std::string_view object_bytes) {
  if (key.ends_with(".csv.zst")) return io::zstd_decompress(object_bytes);
  TRY_ASSIGN(std::vector<io::ZipMember> members, io::read_zip(object_bytes));
  for (io::ZipMember& member : members) {
    if (member.name.ends_with(".csv") || members.size() == 1) return std::move(member.data);
  }
  return fail(ErrorCode::corrupt_data, "{}: no CSV inside the zip", key);
}

core::Result<ArchiveName> archive_name_of_key(std::string_view key) {
  std::string_view name = key.substr(key.rfind('/') + 1);
  if (name.ends_with(".zst")) name.remove_suffix(4);
  return parse_archive_name(name);
}

}  // namespace cryptolake::sources::binance
