#include "analytics/candle_series.hpp"

#include <algorithm>
#include <map>
#include <sstream>
#include <tuple>

#include <fmt/format.h>

#include "core/timestamp.hpp"

#include "lake/layout.hpp"
#include "lake/partition_writer.hpp"
#include "lake/partition_versions.hpp"

namespace cryptolake::analytics {

namespace {

// "dt\tversion" lines: the market_ohlcv partitions a run read.
std::string versions_text(const std::map<std::string, std::string>& versions) {
  std::string text;
  for (const auto& [dt, version] : versions) text += fmt::format("{}\t{}\n", dt, version);
  return text;
}

// The first day whose partition is new or changed since `consumed`; nothing when a day was
// removed or the text is not a ledger (rebuild all), "" when nothing changed.
std::optional<std::string> first_changed_day(const std::map<std::string, std::string>& now, const std::string& consumed) {
  std::map<std::string, std::string> then;
  std::istringstream in(consumed);
  for (std::string line; std::getline(in, line);) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) return std::nullopt;
    then[line.substr(0, tab)] = line.substr(tab + 1);
  }
  for (const auto& [dt, version] : then) {
    if (!now.contains(dt)) return std::nullopt;
  }
  for (const auto& [dt, version] : now) {
    const auto it = then.find(dt);
    if (it == then.end() || it->second != version) return dt;
  }
  return std::string();
}

std::string globs(const lake::ObjectStore& store, const std::vector<std::string>& dts) {
  std::string list;
  for (const std::string& dt : dts) list += (list.empty() ? "" : ", ") + lake::sql_string(lake::table_glob(store, "market_ohlcv", dt));
  return "[" + list + "]";
}

// The day `days` before a "YYYY-MM-DD" day.
std::string days_before(const std::string& day, int days) {
  const auto parsed = core::Timestamp::parse_date(day);
  if (!parsed || days <= 0) return day;
  return core::Timestamp::from_micros(parsed->micros() - days * int64_t{86'400'000'000}).date();
}

// Series numbered in the order they are met, across reads; ranked by name when asked.
class SeriesRegistry {
 public:
  uint32_t id(std::string_view source, std::string_view symbol, std::string_view interval) {
    const auto [it, added] = ids_.try_emplace({std::string(source), std::string(symbol), std::string(interval)}, static_cast<uint32_t>(names_.size()));
    if (added) names_.push_back({std::get<0>(it->first), std::get<1>(it->first), std::get<2>(it->first)});
    return it->second;
  }
  const std::vector<SeriesName>& names() const { return names_; }
  // Each id's place in (source, symbol, interval) order.
  std::vector<uint32_t> ranks() const {
    std::vector<uint32_t> rank(names_.size());
    uint32_t next = 0;
    for (const auto& [name, id] : ids_) rank[id] = next++;
    return rank;
  }

 private:
  std::map<std::tuple<std::string, std::string, std::string>, uint32_t> ids_;
  std::vector<SeriesName> names_;  // by id
};

// The rows of `sql` (source, symbol, interval, open_time, close, volume, trades, written) added to
// `out`, their series numbered by `registry`. Streamed, and the series' names compared only where
// they change (files hold a series' rows together).
core::Status append_rows(lake::DuckConnection& connection, const std::string& sql, SeriesRegistry& registry, std::vector<SeriesCandle>& out) {
  TRY_ASSIGN(lake::StatementList statements, connection.extract(
      fmt::format("SELECT source, symbol, interval, epoch_us(open_time), close, volume, trades, written FROM ({})", sql)));
  TRY_ASSIGN(lake::PreparedStatement statement, statements.prepare(0));
  TRY_ASSIGN(lake::QueryResult result, statement.stream());
  std::string_view last_source, last_symbol, last_interval;  // views into the registry's names
  uint32_t last_id = 0;
  while (duckdb_data_chunk chunk = result.fetch_chunk()) {
    const size_t n = duckdb_data_chunk_get_size(chunk);
    duckdb_vector sources = duckdb_data_chunk_get_vector(chunk, 0), symbols = duckdb_data_chunk_get_vector(chunk, 1),
                  intervals = duckdb_data_chunk_get_vector(chunk, 2);
    const auto* times = static_cast<const int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 3)));
    const auto* closes = static_cast<const double*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 4)));
    const auto* volumes = static_cast<const double*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 5)));
    const auto* trades = static_cast<const int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 6)));
    const auto* written = static_cast<const bool*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 7)));
    for (size_t i = 0; i < n; ++i) {
      const std::string_view source = lake::string_cell(sources, i), symbol = lake::string_cell(symbols, i),
                             interval = lake::string_cell(intervals, i);
      if (last_source.data() == nullptr || source != last_source || symbol != last_symbol || interval != last_interval) {
        last_id = registry.id(source, symbol, interval);
        const SeriesName& name = registry.names()[last_id];
        last_source = name.source, last_symbol = name.symbol, last_interval = name.interval;
      }
      out.push_back({last_id, times[i], closes[i], volumes[i], trades[i], written[i]});
    }
    duckdb_destroy_data_chunk(&chunk);
  }
  return {};
}

// Which days a stage reads: every market_ohlcv day from the first changed one (`rewritten`), and
// the days before it (`before`), read for the series' tails only.
struct ReadPlan {
  std::string versions;
  bool unchanged = false;
  std::vector<std::string> rewritten, before;
};

core::Result<ReadPlan> plan_read(lake::ObjectStore& store, const ChangedDays& what) {
  ReadPlan plan;
  TRY_ASSIGN(const auto versions, lake::partition_versions(store, "market_ohlcv"));
  plan.versions = versions_text(versions);
  if (versions.empty()) return plan;
  const std::optional<std::string> changed = what.consumed ? first_changed_day(versions, *what.consumed) : std::nullopt;
  if (changed && changed->empty()) {
    plan.unchanged = true;
    return plan;
  }
  const std::string from = std::max(days_before(changed.value_or(versions.begin()->first), what.days_before), what.first_day.value_or(""));
  for (const auto& [dt, version] : versions) (dt >= from ? plan.rewritten : plan.before).push_back(dt);
  return plan;
}

std::string rewritten_sql(const lake::ObjectStore& store, const std::vector<std::string>& days) {
  return fmt::format("SELECT source, symbol, interval, open_time, close, volume, coalesce(trades, 0) AS trades, true AS written FROM read_parquet({})",
                     globs(store, days));
}

// Each series' last `tail` rows before the rewritten days: a week back is enough for minute
// candles; when a series has fewer rows there, everything before is read.
core::Result<std::string> tails_sql(lake::DuckConnection& connection, const lake::ObjectStore& store, const ReadPlan& plan, int tail) {
  const auto window_sql = [&](size_t days_back) {
    const std::vector<std::string> window(plan.before.end() - static_cast<std::ptrdiff_t>(std::min(days_back, plan.before.size())), plan.before.end());
    return fmt::format("SELECT source, symbol, interval, open_time, close, volume, coalesce(trades, 0) AS trades, false AS written FROM read_parquet({}) "
                       "QUALIFY row_number() OVER (PARTITION BY source, symbol, interval ORDER BY open_time DESC) <= {}",
                       globs(store, window), tail);
  };
  if (plan.before.size() <= 7) return window_sql(7);
  TRY_ASSIGN(lake::QueryResult short_tails, connection.query(fmt::format(
      "SELECT count(*) FROM (SELECT source, symbol, interval, count(*) FILTER (WHERE NOT written) AS n FROM ({} UNION ALL {}) GROUP BY ALL) "
      "WHERE n < {}", rewritten_sql(store, plan.rewritten), window_sql(7), tail)));
  return window_sql(short_tails.int64(0, 0) > 0 ? plan.before.size() : 7);
}

// The rewritten days in groups of `size`, by the row counts in the files' footers.
core::Result<std::vector<std::vector<std::string>>> group_days(lake::DuckConnection& connection, const lake::ObjectStore& store,
                                                                const std::vector<std::string>& days, DayGroupSize size) {
  std::map<int64_t, size_t> rows_by_day;  // by the day's place in `days`
  std::map<std::string, int64_t, std::less<>> place_of;
  for (size_t i = 0; i < days.size(); ++i) {
    rows_by_day[static_cast<int64_t>(i)] = 0;
    place_of[days[i]] = static_cast<int64_t>(i);
  }
  if (size.max_rows > 0 && days.size() > size.min_days) {
    TRY_ASSIGN(lake::QueryResult counted, connection.query(fmt::format(
        "SELECT regexp_extract(file_name, 'dt=([0-9-]+)', 1), sum(num_rows)::BIGINT FROM parquet_file_metadata({}) GROUP BY ALL", globs(store, days))));
    for (size_t r = 0; r < counted.row_count(); ++r) {
      const auto day = place_of.find(counted.text(0, r));
      if (day != place_of.end()) rows_by_day[day->second] = static_cast<size_t>(std::max<int64_t>(0, counted.int64(1, r)));
    }
  }
  std::vector<std::vector<std::string>> groups;
  for (const std::vector<int64_t>& places : lake::day_groups(rows_by_day, size.max_rows == 0 ? SIZE_MAX : size.max_rows, size.min_days)) {
    std::vector<std::string>& group = groups.emplace_back();
    for (const int64_t place : places) group.push_back(days[static_cast<size_t>(place)]);
  }
  return groups;
}

// Reads what `what` asks, a group of rewritten days at a time after the tails: `take` gets each
// group's rows, unsorted, numbered by one registry throughout, and may keep or clear them.
using TakeRows = std::function<core::Status(bool tails, const SeriesRegistry& registry, std::vector<SeriesCandle>& rows)>;
core::Result<ReadPlan> read_groups(lake::ObjectStore& store, lake::DuckDb& duckdb, const ChangedDays& what, DayGroupSize size,
                                   const TakeRows& take) {
  TRY_ASSIGN(ReadPlan plan, plan_read(store, what));
  if (plan.rewritten.empty()) return plan;
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  SeriesRegistry registry;
  std::vector<SeriesCandle> rows;
  if (!plan.before.empty()) {
    TRY_ASSIGN(const std::string tails, tails_sql(connection, store, plan, what.tail));
    TRY(append_rows(connection, tails, registry, rows));
    TRY(take(true, registry, rows));
  }
  TRY_ASSIGN(const auto groups, group_days(connection, store, plan.rewritten, size));
  for (const std::vector<std::string>& days : groups) {
    TRY(append_rows(connection, rewritten_sql(store, days), registry, rows));
    TRY(take(false, registry, rows));
  }
  return plan;
}

}  // namespace

core::Result<CandleSeries> read_changed_candles(lake::ObjectStore& store, lake::DuckDb& duckdb, const ChangedDays& what) {
  CandleSeries out;
  std::vector<uint32_t> rank;
  TRY_ASSIGN(const ReadPlan plan, read_groups(store, duckdb, what, {.min_days = SIZE_MAX, .max_rows = 0}, [&](bool, const SeriesRegistry& registry, std::vector<SeriesCandle>& rows) -> core::Status {
    if (out.candles.empty()) {
      out.candles.swap(rows);
    } else {
      out.candles.insert(out.candles.end(), rows.begin(), rows.end());
      rows.clear();
    }
    // Ids in name order, as (source, symbol, interval) sort.
    rank = registry.ranks();
    out.series.resize(rank.size());
    for (uint32_t id = 0; id < rank.size(); ++id) out.series[rank[id]] = registry.names()[id];
    return core::Status{};
  }));
  out.versions = plan.versions;
  out.unchanged = plan.unchanged;
  for (SeriesCandle& c : out.candles) c.series = rank[c.series];
  std::ranges::sort(out.candles, [](const SeriesCandle& a, const SeriesCandle& b) {
    return a.series != b.series ? a.series < b.series : a.open_time < b.open_time;
  });
  return out;
}

core::Result<CandleDaysRead> read_changed_candles_by_day(lake::ObjectStore& store, lake::DuckDb& duckdb, const ChangedDays& what,
                                                         DayGroupSize size, const CandleGroupVisit& visit) {
  CandleDaysRead out;
  TRY_ASSIGN(const ReadPlan plan, read_groups(store, duckdb, what, size, [&](bool tails, const SeriesRegistry& registry, std::vector<SeriesCandle>& rows) -> core::Status {
    if (rows.empty()) return core::Status{};
    const std::vector<uint32_t> rank = registry.ranks();
    const auto day_of = [](const SeriesCandle& c) { return core::Timestamp::from_micros(c.open_time).days_since_epoch(); };
    std::ranges::sort(rows, [&](const SeriesCandle& a, const SeriesCandle& b) {
      if (day_of(a) != day_of(b)) return day_of(a) < day_of(b);
      return a.series != b.series ? rank[a.series] < rank[b.series] : a.open_time < b.open_time;
    });
    out.candles += rows.size();
    TRY(visit({tails, registry.names(), rows}));
    rows.clear();
    return core::Status{};
  }));
  out.versions = plan.versions;
  out.unchanged = plan.unchanged;
  return out;
}

core::Result<std::optional<std::string>> keep_last_days(lake::ObjectStore& store, int days, const std::vector<std::string_view>& tables) {
  if (days <= 0) return std::nullopt;
  TRY_ASSIGN(const auto versions, lake::partition_versions(store, "market_ohlcv"));
  if (versions.empty()) return std::nullopt;
  const auto latest = core::Timestamp::parse_date(versions.rbegin()->first);
  if (!latest) return std::nullopt;
  std::string first = core::Timestamp::from_micros(latest->micros() - (days - 1) * core::Timestamp::kMicrosPerDay).date();
  for (const std::string_view table : tables) TRY(lake::remove_partitions_before(store, table, first));
  return first;
}

}  // namespace cryptolake::analytics
