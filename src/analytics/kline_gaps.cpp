#include "analytics/kline_gaps.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "core/decimal.hpp"
#include "core/market.hpp"
#include "lake/partition_commit.hpp"
#include "lake/partition_versions.hpp"
#include "lake/partition_writer.hpp"
#include "lake/layout.hpp"

namespace cryptolake::analytics {

using core::Timestamp;
using lake::ColumnType;

namespace {

constexpr std::string_view kLedgerKey = lake::layout::kGapsLedgerKey;

// The intervals of fixed length (calendar months are not).
constexpr std::array<std::string_view, 15> kFixedIntervals = {"1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w"};

// A fixed interval's length in µs; 0 for any other.
int64_t fixed_step(std::string_view interval) {
  return std::ranges::find(kFixedIntervals, interval) != kFixedIntervals.end() ? core::interval_micros(interval) : 0;
}

// The SQL table of fixed interval lengths in µs.
std::string interval_table() {
  std::string values;
  for (const std::string_view interval : kFixedIntervals) {
    values += fmt::format("{}('{}', {})", values.empty() ? "" : ", ", interval, core::interval_micros(interval));
  }
  return "(VALUES " + values + ") AS steps(interval, step)";
}

auto gap_key(const KlineGap& g) { return std::tie(g.source, g.symbol, g.interval, g.start); }

// What one day of market_ohlcv says about each series: its first and last open time, and the gaps
// within the day. A partition holds the candles opened on its day, so a series' gaps are those
// within its days plus those between the last candle of one day and the first of its next day.
struct SeriesSpan {
  std::string source, symbol, interval;
  int64_t first_us = 0, last_us = 0;
};
struct DayScan {
  std::string version;  // of the market_ohlcv partition it was read from
  std::vector<SeriesSpan> spans;
  std::vector<KlineGap> gaps;  // within the day
};
using DayScans = std::map<std::string, DayScan>;  // by dt

// Kept between runs with each day's partition version, so a run reads only the days that changed.
constexpr std::string_view kDayScansKey = "_catalog/gaps/days.tsv";

std::vector<std::string> tab_fields(std::string_view line) {
  std::vector<std::string> fields;
  for (size_t pos = 0;;) {
    const size_t tab = line.find('\t', pos);
    fields.emplace_back(line.substr(pos, tab == std::string_view::npos ? std::string_view::npos : tab - pos));
    if (tab == std::string_view::npos) return fields;
    pos = tab + 1;
  }
}

// Lines "S dt version source symbol interval first last" and "G dt version source symbol interval
// start end missing"; a line that does not read is dropped (its day is read again).
DayScans read_day_scans(const lake::ObjectStore& store) {
  DayScans scans;
  const std::string text = store.get(kDayScansKey).value_or("");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const std::vector<std::string> f = tab_fields(line);
    if (f.size() < 8) continue;
    DayScan& day = scans[f[1]];
    day.version = f[2];
    const auto a = core::parse_int(f[6]), b = core::parse_int(f[7]);
    if (!a || !b) continue;
    if (f[0] == "S" && f.size() == 8) day.spans.push_back({f[3], f[4], f[5], *a, *b});
    const auto missing = f.size() == 9 ? core::parse_int(f[8]) : std::nullopt;
    if (f[0] == "G" && missing) day.gaps.push_back({f[3], f[4], f[5], Timestamp::from_micros(*a), Timestamp::from_micros(*b), *missing, "missing"});
  }
  return scans;
}

core::Status write_day_scans(lake::ObjectStore& store, const DayScans& scans) {
  std::string text;
  for (const auto& [dt, day] : scans) {
    for (const SeriesSpan& s : day.spans) {
      text += fmt::format("S\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", dt, day.version, s.source, s.symbol, s.interval, s.first_us, s.last_us);
    }
    for (const KlineGap& g : day.gaps) {
      text += fmt::format("G\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", dt, day.version, g.source, g.symbol, g.interval, g.start.micros(),
                          g.end.micros(), g.missing);
    }
  }
  return store.put(kDayScansKey, text);
}

// Days read by one query: the window below sorts all their candles at once, so the first run of a
// long lake reads its days a group at a time (600 days together held ~500 MB more).
constexpr size_t kDaysPerScan = 31;

// The spans and within-day gaps of the days whose files are `files` (SQL strings), into `scans`.
core::Status scan_group(lake::DuckConnection& connection, const std::string& files, DayScans& scans) {
  // One query per kind over the days together; each day keeps to itself (PARTITION BY dt).
  const std::string source = fmt::format("read_parquet([{}], hive_partitioning = true, hive_types = {{'dt': VARCHAR}})", files);
  TRY_ASSIGN(lake::QueryResult spans, connection.query(fmt::format(
      "SELECT dt, source, symbol, interval, min(epoch_us(open_time)), max(epoch_us(open_time)) FROM {} GROUP BY ALL ORDER BY ALL", source)));
  for (size_t r = 0; r < spans.row_count(); ++r) {
    scans[spans.text(0, r)].spans.push_back({spans.text(1, r), spans.text(2, r), spans.text(3, r), spans.int64(4, r), spans.int64(5, r)});
  }
  TRY_ASSIGN(lake::QueryResult gaps, connection.query(fmt::format(
      "SELECT dt, source, symbol, interval, epoch_us(open_time) + step AS gap_start, epoch_us(next_open) AS gap_end, "
      "  (epoch_us(next_open) - epoch_us(open_time)) // step - 1 AS missing "
      "FROM (SELECT dt, source, symbol, interval, open_time, "
      "        lead(open_time) OVER (PARTITION BY dt, source, symbol, interval ORDER BY open_time) AS next_open "
      "      FROM {}) JOIN {} USING (interval) "
      "WHERE epoch_us(next_open) - epoch_us(open_time) > step ORDER BY ALL", source, interval_table())));
  for (size_t r = 0; r < gaps.row_count(); ++r) {
    scans[gaps.text(0, r)].gaps.push_back({gaps.text(1, r), gaps.text(2, r), gaps.text(3, r), Timestamp::from_micros(gaps.int64(4, r)),
                                           Timestamp::from_micros(gaps.int64(5, r)), gaps.int64(6, r), "missing"});
  }
  return core::Status{};
}

// Every day of market_ohlcv, reading only the partitions whose version is not the one scanned.
core::Result<DayScans> scan_days(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                 const std::map<std::string, std::vector<std::string>>& files_by_day) {
  DayScans kept = read_day_scans(store), scans;
  std::vector<std::string> changed;  // each changed day's files, as one SQL list
  for (const auto& [dt, keys] : files_by_day) {
    TRY_ASSIGN(const std::string version, lake::partition_version(store, "market_ohlcv", dt));
    if (auto it = kept.find(dt); it != kept.end() && it->second.version == version) {
      scans[dt] = std::move(it->second);
      continue;
    }
    scans[dt].version = version;
    std::string files;
    for (const std::string& key : keys) files += fmt::format("{}{}", files.empty() ? "" : ", ", lake::sql_string(store.location(key)));
    changed.push_back(std::move(files));
  }
  if (!changed.empty()) {
    TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
    for (size_t begin = 0; begin < changed.size(); begin += kDaysPerScan) {
      std::string files;
      for (size_t d = begin; d < std::min(changed.size(), begin + kDaysPerScan); ++d) files += (files.empty() ? "" : ", ") + changed[d];
      TRY(scan_group(connection, files, scans));
    }
  }
  if (!changed.empty() || kept.size() != scans.size()) TRY(write_day_scans(store, scans));
  return scans;
}

// The gaps of every series: within days, and between a day's last candle and the next day's first.
std::vector<KlineGap> gaps_of(const DayScans& scans) {
  std::vector<KlineGap> gaps;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> last_seen;  // series → last open time so far
  for (const auto& [dt, day] : scans) {
    gaps.insert(gaps.end(), day.gaps.begin(), day.gaps.end());
    for (const SeriesSpan& s : day.spans) {
      const auto key = std::make_tuple(s.source, s.symbol, s.interval);
      const int64_t step = fixed_step(s.interval);
      if (auto last = last_seen.find(key); last != last_seen.end() && step > 0 && s.first_us - last->second > step) {
        gaps.push_back({s.source, s.symbol, s.interval, Timestamp::from_micros(last->second + step), Timestamp::from_micros(s.first_us),
                        (s.first_us - last->second) / step - 1, "missing"});
      }
      last_seen[key] = s.last_us;
    }
  }
  return gaps;
}

}  // namespace

core::Result<std::vector<KlineGap>> find_kline_gaps(lake::ObjectStore& store, lake::DuckDb& duckdb) {
  std::vector<KlineGap> gaps;
  TRY_ASSIGN(const auto keys, store.list(lake::layout::table_prefix("market_ohlcv")));
  if (keys.empty()) return gaps;
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  TRY_ASSIGN(lake::QueryResult result, connection.query(fmt::format(
      "SELECT source, symbol, interval, epoch_us(open_time) + step AS gap_start, epoch_us(next_open) AS gap_end, "
      "  (epoch_us(next_open) - epoch_us(open_time)) // step - 1 AS missing "
      "FROM (SELECT source, symbol, interval, open_time, "
      "        lead(open_time) OVER (PARTITION BY source, symbol, interval ORDER BY open_time) AS next_open "
      "      FROM read_parquet({})) JOIN {} USING (interval) "
      "WHERE epoch_us(next_open) - epoch_us(open_time) > step ORDER BY ALL",
      lake::sql_string(lake::table_glob(store, "market_ohlcv")), interval_table())));
  for (size_t r = 0; r < result.row_count(); ++r) {
    gaps.push_back({result.text(0, r), result.text(1, r), result.text(2, r), Timestamp::from_micros(result.int64(3, r)),
                    Timestamp::from_micros(result.int64(4, r)), result.int64(5, r), "missing"});
  }
  return gaps;
}

core::Result<std::vector<KlineGap>> read_gap_ledger(const lake::ObjectStore& store) {
  std::vector<KlineGap> gaps;
  auto text = store.get(kLedgerKey);
  if (!text) return gaps;  // no ledger yet
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) {
    const std::vector<std::string> f = tab_fields(line);
    if (f.size() != 7) continue;
    const auto start = core::parse_int(f[3]), end = core::parse_int(f[4]), missing = core::parse_int(f[5]);
    if (!start || !end || !missing) continue;
    gaps.push_back({f[0], f[1], f[2], Timestamp::from_micros(*start), Timestamp::from_micros(*end), *missing, f[6]});
  }
  return gaps;
}

core::Status write_gap_ledger(lake::ObjectStore& store, const std::vector<KlineGap>& gaps) {
  std::string text;
  for (const KlineGap& g : gaps) {
    text += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", g.source, g.symbol, g.interval, g.start.micros(), g.end.micros(),
                        g.missing, g.gap_class);
  }
  return store.put(kLedgerKey, text);
}

std::vector<KlineGap> merge_gaps(const std::vector<KlineGap>& previous, const std::vector<KlineGap>& current) {
  std::map<std::tuple<std::string, std::string, std::string, Timestamp>, KlineGap> merged;
  for (KlineGap gap : previous) {
    gap.gap_class = "filled";  // unless still missing, below
    merged[gap_key(gap)] = gap;
  }
  for (KlineGap gap : current) {
    const auto prior = std::ranges::find_if(previous, [&](const KlineGap& p) { return gap_key(p) == gap_key(gap); });
    // Once confirmed missing upstream, a gap keeps that class while it lasts.
    gap.gap_class = prior != previous.end() && prior->gap_class == "missing_upstream" ? "missing_upstream" : "missing";
    merged[gap_key(gap)] = gap;
  }
  std::vector<KlineGap> out;
  for (auto& [key, gap] : merged) out.push_back(std::move(gap));
  return out;
}

void mark_refetched(std::vector<KlineGap>& ledger, const std::vector<KlineGap>& refetched) {
  std::set<std::tuple<std::string, std::string, std::string, Timestamp>> asked;
  for (const KlineGap& g : refetched) asked.insert(gap_key(g));
  for (KlineGap& g : ledger) {
    if (g.gap_class == "missing" && asked.contains(gap_key(g))) g.gap_class = "missing_upstream";
  }
}

core::Result<lake::WriteStats> build_kline_gaps(lake::ObjectStore& store, lake::DuckDb& duckdb, size_t threads) {
  lake::WriteStats stats;
  stats.table = "gaps";
  TRY_ASSIGN(const auto ohlcv_keys, store.list(lake::layout::table_prefix("market_ohlcv")));
  std::map<std::string, std::vector<std::string>> files_by_day;
  for (const std::string& key : ohlcv_keys) {
    if (auto where = lake::layout::parse_curated_key(key)) files_by_day[where->dt].push_back(key);
  }
  TRY_ASSIGN(const DayScans scans, scan_days(store, duckdb, files_by_day));
  const std::vector<KlineGap> current = gaps_of(scans);
  TRY_ASSIGN(const std::vector<KlineGap> previous, read_gap_ledger(store));
  std::vector<KlineGap> ledger = merge_gaps(previous, current);
  TRY(write_gap_ledger(store, ledger));
  std::ranges::sort(ledger, [](const KlineGap& a, const KlineGap& b) {
    const int64_t da = a.start.days_since_epoch(), db = b.start.days_since_epoch();
    return da != db ? da < db : gap_key(a) < gap_key(b);
  });
  stats.records_in = current.size();
  stats.rows_out = ledger.size();
  std::vector<lake::PartitionSlice> slices;
  for (size_t begin = 0; begin < ledger.size();) {
    size_t end = begin;
    while (end < ledger.size() && ledger[end].start.days_since_epoch() == ledger[begin].start.days_since_epoch()) ++end;
    slices.push_back({ledger[begin].start.date(), begin, end});
    begin = end;
  }
  static const std::vector<lake::ColumnSpec> schema = {
      {"source", ColumnType::varchar},          {"symbol", ColumnType::varchar},
      {"interval", ColumnType::varchar},        {"gap_start", ColumnType::timestamp_tz},
      {"gap_end", ColumnType::timestamp_tz},    {"missing_candles", ColumnType::bigint},
      {"class", ColumnType::varchar}};
  // Gap partitions that no longer hold any gap must go too: rewrite the table whole.
  TRY_ASSIGN(const auto old_keys, store.list(lake::layout::table_prefix("gaps")));
  std::set<std::string> keep;
  for (const auto& slice : slices) keep.insert(slice.dt);
  for (const std::string& key : old_keys) {
    if (auto where = lake::layout::parse_curated_key(key); where && !keep.contains(where->dt)) TRY(store.remove(key));
  }
  TRY_ASSIGN(stats.partitions, lake::write_partitions(store, duckdb, "gaps", schema, slices,
      [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
        for (size_t r = slice.begin; r < slice.end; ++r) {
          const KlineGap& g = ledger[r];
          batch.add(g.source);
          batch.add(g.symbol);
          batch.add(g.interval);
          batch.add(g.start.micros());
          batch.add(g.end.micros());
          batch.add(g.missing);
          batch.add(g.gap_class);
          batch.end_row();
        }
      }, threads));

  // completeness: per series and day, candles expected within the series' span vs present. The
  // spans are read once; each day's query reads only that day, with the span cut to the day
  // written into it, so a day is rewritten only when its candles or its part of a span changed.
  std::vector<lake::QueryPartition> days;
  // Each series' whole span, from its days' spans.
  std::map<std::tuple<std::string, std::string, std::string>, SeriesSpan> whole;
  for (const auto& [dt, day] : scans) {
    for (const SeriesSpan& s : day.spans) {
      auto [it, fresh] = whole.try_emplace(std::make_tuple(s.source, s.symbol, s.interval), s);
      if (!fresh) {
        it->second.first_us = std::min(it->second.first_us, s.first_us);
        it->second.last_us = std::max(it->second.last_us, s.last_us);
      }
    }
  }
  std::vector<SeriesSpan> spans;
  for (auto& [key, span] : whole) spans.push_back(std::move(span));
  for (auto& [dt, inputs] : files_by_day) {
    const int64_t day_start = Timestamp::parse_date(dt).value_or(Timestamp{}).micros();
    const int64_t day_end = day_start + Timestamp::kMicrosPerDay - 1;
    std::string bounds;
    for (const SeriesSpan& span : spans) {
      if (span.first_us > day_end || span.last_us < day_start) continue;
      bounds += fmt::format("{}({}, {}, {}, {}, {})", bounds.empty() ? "" : ", ", lake::sql_string(span.source), lake::sql_string(span.symbol),
                            lake::sql_string(span.interval), std::max(span.first_us, day_start), std::min(span.last_us, day_end));
    }
    if (bounds.empty()) continue;
    days.push_back({dt, fmt::format(
        "SELECT d.source, d.symbol, d.interval, (b.last_us - b.first_us) // steps.step + 1 AS expected, d.present "
        "FROM (SELECT source, symbol, interval, count(*) AS present FROM read_parquet({}) GROUP BY ALL) d "
        "JOIN (VALUES {}) AS b(source, symbol, interval, first_us, last_us) USING (source, symbol, interval) JOIN {} USING (interval) "
        "ORDER BY ALL",
        lake::sql_string(lake::table_glob(store, "market_ohlcv", dt)), bounds, interval_table()), std::move(inputs)});
  }
  TRY(lake::write_query_partitions(store, duckdb, "completeness", days, lake::QueryReads::files, threads));
  return stats;
}

}  // namespace cryptolake::analytics
