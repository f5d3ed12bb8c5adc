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

// The rows of `sql` (source, symbol, interval, open_time, close, volume, trades, written) into
// `out`: series numbered by name order, candles ordered by series, then time. Streamed, and the
// series' names compared only where they change (files hold a series' rows together).
core::Status read_rows(lake::DuckConnection& connection, const std::string& sql, CandleSeries& out) {
  TRY_ASSIGN(lake::StatementList statements, connection.extract(
      fmt::format("SELECT source, symbol, interval, epoch_us(open_time), close, volume, trades, written FROM ({})", sql)));
  TRY_ASSIGN(lake::PreparedStatement statement, statements.prepare(0));
  TRY_ASSIGN(lake::QueryResult result, statement.stream());
  std::map<std::tuple<std::string, std::string, std::string>, uint32_t> ids;  // by name, in the order met
  std::tuple<std::string, std::string, std::string> last;
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
      if (ids.empty() || source != std::get<0>(last) || symbol != std::get<1>(last) || interval != std::get<2>(last)) {
        last = {std::string(source), std::string(symbol), std::string(interval)};
        last_id = ids.try_emplace(last, static_cast<uint32_t>(ids.size())).first->second;
      }
      out.candles.push_back({last_id, times[i], closes[i], volumes[i], trades[i], written[i]});
    }
    duckdb_destroy_data_chunk(&chunk);
  }
  // Ids in name order, as (source, symbol, interval) sort.
  std::vector<uint32_t> rank(ids.size());
  for (auto& [name, id] : ids) {
    rank[id] = static_cast<uint32_t>(out.series.size());
    out.series.push_back({std::get<0>(name), std::get<1>(name), std::get<2>(name)});
  }
  for (SeriesCandle& c : out.candles) c.series = rank[c.series];
  std::ranges::sort(out.candles, [](const SeriesCandle& a, const SeriesCandle& b) {
    return a.series != b.series ? a.series < b.series : a.open_time < b.open_time;
  });
  return {};
}

}  // namespace

core::Result<CandleSeries> read_changed_candles(lake::ObjectStore& store, lake::DuckDb& duckdb, const ChangedDays& what) {
  CandleSeries out;
  TRY_ASSIGN(const auto versions, lake::partition_versions(store, "market_ohlcv"));
  out.versions = versions_text(versions);
  if (versions.empty()) return out;
  // Days rewritten: from `from` on; the days before are read only for the windows' tails.
  const std::optional<std::string> changed = what.consumed ? first_changed_day(versions, *what.consumed) : std::nullopt;
  if (changed && changed->empty()) {
    out.unchanged = true;
    return out;
  }
  const std::string from = std::max(days_before(changed.value_or(versions.begin()->first), what.days_before), what.first_day.value_or(""));
  std::vector<std::string> rewritten, before;
  for (const auto& [dt, version] : versions) (dt >= from ? rewritten : before).push_back(dt);
  if (rewritten.empty()) return out;
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());

  // The rows read: the rewritten days, and each series' last `tail` rows before them. A week
  // back is enough for minute candles; when a series has fewer rows there, read everything before.
  const auto rows_sql = [&](size_t days_back) {
    const std::string recent = fmt::format("SELECT source, symbol, interval, open_time, close, volume, coalesce(trades, 0) AS trades, true AS written FROM read_parquet({})",
                                           globs(store, rewritten));
    if (before.empty()) return recent;
    const std::vector<std::string> window(before.end() - static_cast<std::ptrdiff_t>(std::min(days_back, before.size())), before.end());
    return fmt::format("{} UNION ALL SELECT source, symbol, interval, open_time, close, volume, coalesce(trades, 0), false FROM read_parquet({}) "
                       "QUALIFY row_number() OVER (PARTITION BY source, symbol, interval ORDER BY open_time DESC) <= {}",
                       recent, globs(store, window), what.tail);
  };
  std::string rows_read = rows_sql(7);
  if (before.size() > 7) {
    TRY_ASSIGN(lake::QueryResult short_tails, connection.query(fmt::format(
        "SELECT count(*) FROM (SELECT source, symbol, interval, count(*) FILTER (WHERE NOT written) AS n FROM ({}) GROUP BY ALL) "
        "WHERE n < {}", rows_read, what.tail)));
    if (short_tails.int64(0, 0) > 0) rows_read = rows_sql(before.size());
  }

  TRY(read_rows(connection, rows_read, out));
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
