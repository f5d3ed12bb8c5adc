#include "transform/market_ohlcv_etl.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/log.hpp"

#include "lake/day_spill.hpp"
#include "lake/raw_zone.hpp"
#include "sources/binance/archive_import.hpp"
#include "sources/binance/kline_parser.hpp"
#include "sources/binance/ws_event_parser.hpp"
#include "lake/partition_writer.hpp"
#include "lake/layout.hpp"
#include "lake/partition_versions.hpp"
#include "lake/worker_pool.hpp"
#include "transform/incremental_scan.hpp"

namespace cryptolake::transform {

using core::Timestamp;
using lake::ColumnType;

const std::vector<lake::ColumnSpec>& market_ohlcv_schema() {
  static const std::vector<lake::ColumnSpec> schema = {
      {"source", ColumnType::varchar},         {"symbol", ColumnType::varchar},
      {"interval", ColumnType::varchar},       {"open_time", ColumnType::timestamp_tz},
      {"close_time", ColumnType::timestamp_tz}, {"open", ColumnType::float64},
      {"high", ColumnType::float64},           {"low", ColumnType::float64},
      {"close", ColumnType::float64},          {"volume", ColumnType::float64},
      {"quote_volume", ColumnType::float64},   {"trades", ColumnType::bigint},
      {"taker_buy_base", ColumnType::float64}, {"taker_buy_quote", ColumnType::float64},
      {"received_at", ColumnType::timestamp_tz}};
  return schema;
}

namespace {

// A parsed candle without its strings: the series (source, symbol, interval) is an id.
struct Row {
  uint32_t series;
  core::KlineValues kline;
};

// Whose candles a series holds, as the table spells it.
struct SeriesName {
  std::string source, symbol, interval;
};

// Sort key: partition day, series in name order, open time, newest receipt first.
struct RowKey {
  int64_t day;
  uint32_t series_rank;
  int64_t open_time;
  int64_t received_desc;
  uint32_t thread;
  uint32_t index;
  auto operator<=>(const RowKey&) const = default;
};

// What one thread parsed: rows, the series they belong to, the days each raw object touched.
class ThreadRows {
 public:
  uint32_t series_id(std::string_view source, const core::Symbol& symbol, std::string_view interval) {
    canonical_.clear();
    symbol.append_canonical(canonical_);
    return series_id(source, canonical_, interval);
  }
  // Asked per row: the name is built in a reused string and found without allocating.
  uint32_t series_id(std::string_view source, std::string_view canonical, std::string_view interval) {
    name_.assign(source).append(1, '\x1f').append(canonical).append(1, '\x1f').append(interval);
    if (const auto it = series_ids.find(name_); it != series_ids.end()) return it->second;
    const auto id = static_cast<uint32_t>(series_names.size());
    series_ids.emplace(name_, id);
    series_names.push_back(name_);
    series.push_back({std::string(source), std::string(canonical), std::string(interval)});
    return id;
  }

  // The days rows of the raw object `key` fell on. Rows of one object come together, so the
  // object of the row before is looked up again only when it changes.
  std::set<int64_t>& days_of(std::string_view key) {
    if (last_days_ == nullptr || key != last_key_) {
      last_days_ = &days_by_key_[std::string(key)];
      last_key_.assign(key);
    }
    return *last_days_;
  }
  DaysByObject take_days() {
    last_days_ = nullptr;
    return std::exchange(days_by_key_, {});
  }

  std::map<std::string, uint32_t, std::less<>> series_ids;  // "source\x1fsymbol\x1finterval" -> local id
  std::vector<std::string> series_names;
  std::vector<SeriesName> series;  // by local id
  std::vector<Row> rows;
  size_t rows_parsed = 0;    // rows, spilled ones included
  size_t open_candles = 0;

 private:
  DaysByObject days_by_key_;  // the days each raw object yielded rows for
  std::string name_, canonical_;  // reused by series_id
  std::string last_key_;
  std::set<int64_t>* last_days_ = nullptr;
};

int64_t day_of(const Row& row) { return row.kline.open_time.days_since_epoch(); }

// The candles a run holds at once. A thread whose rows pass its share moves them to spill files
// by day (created at the first spill); after the scan, groups of days are read back in turn.
class RowSpill {
 public:
  RowSpill(size_t memory_bytes, size_t threads)
      // Each row held costs itself and, while its group is sorted, two sort keys (the merge's copy).
      : group_rows_(std::max<size_t>(1, memory_bytes / 2 / (sizeof(Row) + 2 * sizeof(RowKey)))),
        thread_rows_(std::max<size_t>(1, group_rows_ / threads)) {}

  // After each raw object a thread parsed: spills its rows once they pass its share.
  void after_object(size_t thread, ThreadRows& out) {
    if (out.rows.size() >= thread_rows_) keep_error(spill(thread, out));
  }

  // Every row on disk (so each day is read back whole), or nothing spilled at all.
  core::Status finish_scan(std::vector<ThreadRows>& parsed) {
    if (error_) return std::unexpected(*error_);
    if (!files_) return {};
    lake::for_each_on_threads(parsed.size(), parsed.size(), [&](size_t, size_t t) {
      keep_error(spill(t, parsed[t]));
      parsed[t].rows.shrink_to_fit();
    });
    if (error_) return std::unexpected(*error_);
    return {};
  }

  bool spilled() const { return files_.has_value(); }

  // Consecutive days that together fit the budget, in day order; only `wanted` ones when given.
  std::vector<std::vector<int64_t>> groups(const std::optional<std::set<int64_t>>& wanted) const {
    std::map<int64_t, size_t> rows_by_day = files_->rows_by_day();
    if (wanted) std::erase_if(rows_by_day, [&](const auto& day) { return !wanted->contains(day.first); });
    return lake::day_groups(rows_by_day, group_rows_);
  }

  // Each thread's rows of these days back into its buffer, read on the threads into buffers sized
  // here first: buffers that grew on the other threads came from their malloc arenas, and the
  // process peaked ~40 MB higher.
  core::Status read_back(const std::vector<int64_t>& days, std::vector<ThreadRows>& parsed) const {
    for (size_t t = 0; t < parsed.size(); ++t) {
      parsed[t].rows.clear();
      parsed[t].rows.reserve(lake::spilled_row_count<Row>(*files_, t, days));
    }
    std::vector<core::Status> read(parsed.size());
    lake::for_each_on_threads(parsed.size(), parsed.size(), [&](size_t, size_t t) {
      for (const int64_t day : days) {
        if (read[t] = lake::read_spilled_rows(*files_, t, day, parsed[t].rows); !read[t]) return;
      }
    });
    for (core::Status& status : read) TRY(std::move(status));
    return {};
  }

 private:
  core::Status spill(size_t thread, ThreadRows& out) {
    if (out.rows.empty()) return {};
    {
      std::lock_guard lock(mutex_);
      if (!files_) {
        TRY_ASSIGN(lake::DaySpillFiles created, lake::DaySpillFiles::create("etl-spill"));
        files_.emplace(std::move(created));
      }
    }
    // Rows come a raw object at a time, so mostly in long runs of one day: those go to their day's
    // file as they are (its rows then keep the order they were parsed in, as when held). Sorting
    // them by day instead moved every 112-byte row and divided at every comparison: ~9 % of a scan.
    // The runs are found in one pass over rows that are mostly out of cache, each row's day once.
    std::vector<std::pair<size_t, int64_t>> runs = day_runs(out.rows, 1 + out.rows.size() / kRowsPerSpillRun);  // (first row, day)
    if (runs.empty()) {  // days interleaved row by row
      std::ranges::sort(out.rows, {}, day_of);
      runs = day_runs(out.rows, out.rows.size());
    }
    runs.emplace_back(out.rows.size(), 0);
    for (size_t r = 0; r + 1 < runs.size(); ++r) {
      const auto [begin, day] = runs[r];
      TRY(lake::spill_rows<Row>(*files_, thread, day, {out.rows.data() + begin, runs[r + 1].first - begin}));
    }
    out.rows.clear();
    return {};
  }

  // Where each run of one day starts, and its day; nothing when there are more than `most` runs
  // (a spill of fewer than kRowsPerSpillRun rows per run on average sorts first: each run opens a file).
  static std::vector<std::pair<size_t, int64_t>> day_runs(const std::vector<Row>& rows, size_t most) {
    std::vector<std::pair<size_t, int64_t>> runs;
    for (size_t i = 0; i < rows.size(); ++i) {
      const int64_t day = day_of(rows[i]);
      if (!runs.empty() && runs.back().second == day) continue;
      if (runs.size() == most) return {};
      runs.emplace_back(i, day);
    }
    return runs;
  }

  void keep_error(core::Status status) {
    if (status) return;
    std::lock_guard lock(mutex_);
    if (!error_) error_ = status.error();
  }

  // Fewer rows per run than this on average and the rows are sorted first: an append opens a file.
  static constexpr size_t kRowsPerSpillRun = 1024;

  size_t group_rows_, thread_rows_;
  std::mutex mutex_;
  std::optional<lake::DaySpillFiles> files_;
  std::optional<core::Error> error_;
};

// The rows the last complete run published for `days`, read back from market_ohlcv into `out`, so an
// incremental run merges new candles into them instead of parsing again every raw object with
// candles for those days; the latest received still wins, as in a full run. Each partition must be
// the one published (its files hash to the version recorded then); false, with nothing added, when
// one is missing or differs.
core::Result<bool> load_published_days(lake::ObjectStore& store, lake::DuckDb& duckdb, const std::set<int64_t>& days, ThreadRows& out,
                                        RowSpill& spill) {
  std::vector<std::string> globs;
  for (const int64_t day : days) {
    const std::string dt = Timestamp::from_micros(day * Timestamp::kMicrosPerDay).date();
    const auto recorded = store.get(lake::layout::partition_version_key("market_ohlcv", dt));
    if (!recorded) return false;
    // Gone files hash to something no published partition recorded.
    TRY_ASSIGN(const std::string version, lake::hash_partition(store, "market_ohlcv", dt));
    if (version != *recorded) return false;
    globs.push_back(lake::sql_string(lake::table_glob(store, "market_ohlcv", dt)));
  }
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  TRY_ASSIGN(lake::StatementList statements, connection.extract(fmt::format(
      "SELECT source, symbol, interval, epoch_us(open_time), epoch_us(close_time), open, high, low, close, volume, quote_volume, trades, "
      "taker_buy_base, taker_buy_quote, epoch_us(received_at) FROM read_parquet([{}])", fmt::join(globs, ", "))));
  TRY_ASSIGN(lake::PreparedStatement statement, statements.prepare(0));
  TRY_ASSIGN(lake::QueryResult result, statement.stream());
  uint32_t series = 0;
  const SeriesName* last = nullptr;  // files hold a series' rows together: names compared where they change
  while (duckdb_data_chunk chunk = result.fetch_chunk()) {
    const auto column = [&](idx_t c) { return duckdb_data_chunk_get_vector(chunk, c); };
    const auto int64s = [&](idx_t c) { return static_cast<const int64_t*>(duckdb_vector_get_data(column(c))); };
    const auto doubles = [&](idx_t c) { return static_cast<const double*>(duckdb_vector_get_data(column(c))); };
    const int64_t *open_time = int64s(3), *close_time = int64s(4), *trades = int64s(11), *received_at = int64s(14);
    const double *open = doubles(5), *high = doubles(6), *low = doubles(7), *close = doubles(8), *volume = doubles(9),
                 *quote_volume = doubles(10), *taker_buy_base = doubles(12), *taker_buy_quote = doubles(13);
    for (idx_t i = 0, n = duckdb_data_chunk_get_size(chunk); i < n; ++i) {
      const std::string_view source = lake::string_cell(column(0), i), symbol = lake::string_cell(column(1), i),
                             interval = lake::string_cell(column(2), i);
      if (last == nullptr || source != last->source || symbol != last->symbol || interval != last->interval) {
        series = out.series_id(source, symbol, interval);
        last = &out.series[series];
      }
      out.rows.push_back({series, {Timestamp::from_micros(open_time[i]), Timestamp::from_micros(close_time[i]), open[i], high[i], low[i],
                                   close[i], volume[i], quote_volume[i], trades[i], taker_buy_base[i], taker_buy_quote[i],
                                   Timestamp::from_micros(received_at[i])}});
      ++out.rows_parsed;
    }
    duckdb_destroy_data_chunk(&chunk);
    spill.after_object(0, out);
  }
  return true;
}

// Archive dumps landed by `import binance-archive` (raw/<source>/archive/…): one CSV per object.
core::Result<ScanStats> scan_archives(lake::ObjectStore& store, const std::vector<RawObject>& files, size_t threads,
                                      std::vector<ThreadRows>& parsed, RowSpill& spill) {
  std::mutex mutex;
  ScanStats stats;
  std::optional<core::Error> error;
  lake::for_each_on_threads(threads, files.size(), [&](size_t thread, size_t i) {
    const std::string& source = files[i].source;
    const std::string& key = files[i].key;
    std::vector<lake::QuarantineRecord> rejects;
    size_t bytes = 0;
    auto name = sources::binance::archive_name_of_key(key);
    auto object = store.get(key);
    auto text = object ? sources::binance::archive_csv_text(key, *object) : core::Result<std::string>(std::unexpected(object.error()));
    if (!name || !text) {
      rejects.push_back({!name ? name.error().message : text.error().message, key, 0, ""});
    } else {
      bytes = text->size();
      std::vector<core::KlineValues> klines;
      std::vector<sources::binance::RejectedRow> rejected;
      if (auto status = sources::binance::parse_archive_csv_values(*text, {}, klines, rejected); !status) {
        rejects.push_back({status.error().message, key, 0, ""});
      }
      for (auto& bad : rejected) {
        rejects.push_back({fmt::format("{} {} row {}: {}", name->symbol.canonical(), name->interval, bad.index + 1, bad.reason),
                           key, static_cast<int64_t>(bad.index + 1), std::move(bad.text)});
      }
      ThreadRows& out = parsed[thread];
      const uint32_t series = out.series_id(source, name->symbol, name->interval);
      std::set<int64_t>& days = out.days_of(key);
      int64_t last_day = std::numeric_limits<int64_t>::min();
      for (const core::KlineValues& k : klines) {
        if (const int64_t day = k.open_time.days_since_epoch(); day != last_day) days.insert(last_day = day);
        out.rows.push_back({series, k});
      }
      out.rows_parsed += klines.size();
      spill.after_object(thread, out);
    }
    auto written = lake::write_quarantine(store, "market_ohlcv", source, "archive", key, rejects);
    std::lock_guard lock(mutex);
    ++stats.batches;
    stats.bytes += bytes;
    stats.quarantined += rejects.size();
    if (!written && !error) error = written.error();
  });
  if (error) return std::unexpected(*error);
  return stats;
}

}  // namespace

core::Result<lake::WriteStats> run_market_ohlcv_etl(lake::ObjectStore& store, lake::DuckDb& duckdb, const EtlOptions& options) {
  lake::WriteStats stats;
  stats.table = "market_ohlcv";
  const size_t threads = std::max<size_t>(1, options.threads);
  std::vector<ThreadRows> parsed(threads);
  RowSpill spill(options.memory_bytes, threads);

  const auto handler = [&](size_t thread, const EnvelopeView& e, std::vector<lake::QuarantineRecord>& rejects) {
    std::string_view symbol_text, interval;
    if (e.request["symbol"].get_string().get(symbol_text) || e.request["interval"].get_string().get(interval)) {
      rejects.push_back({"klines request without symbol or interval", std::string(e.batch_key), e.line,
                         simdjson::minify(e.request)});
      return;
    }
    auto symbol = core::Symbol::parse(symbol_text);
    if (!symbol) {
      rejects.push_back({symbol.error().message, std::string(e.batch_key), e.line, simdjson::minify(e.request)});
      return;
    }
    ThreadRows& out = parsed[thread];
    const uint32_t series = out.series_id(e.source, *symbol, interval);
    // Reused across a thread's envelopes: the rows are appended to out.rows straight after.
    thread_local std::vector<core::KlineValues> klines;
    klines.clear();
    std::vector<sources::binance::RejectedRow> rejected;
    if (auto status = sources::binance::parse_rest_kline_values(e.payload, e.received_at, klines, rejected); !status) {
      rejects.push_back({status.error().message, std::string(e.batch_key), e.line, simdjson::minify(e.payload)});
      return;
    }
    for (auto& bad : rejected) {
      rejects.push_back({fmt::format("{} {} kline[{}]: {}", out.series[series].symbol, interval, bad.index, bad.reason),
                         std::string(e.batch_key), e.line, std::move(bad.text)});
    }
    std::set<int64_t>& days = out.days_of(e.batch_key);
    int64_t last_day = std::numeric_limits<int64_t>::min();
    for (const core::KlineValues& k : klines) {
      // Only closed candles are final; an open one comes again, closed, with a later poll.
      if (k.close_time >= k.received_at) {
        ++out.open_candles;
        continue;
      }
      if (const int64_t day = k.open_time.days_since_epoch(); day != last_day) days.insert(last_day = day);
      out.rows.push_back({series, k});
      ++out.rows_parsed;
    }
    spill.after_object(thread, out);
  };
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  // WebSocket kline events (landed by `stream land`): only closed candles become rows.
  const auto ws_handler = [&](size_t thread, const EnvelopeView& e, std::vector<lake::QuarantineRecord>& rejects) {
    auto kline = sources::binance::parse_ws_kline(e.payload, e.source, e.received_at);
    if (!kline) {
      rejects.push_back({kline.error().message, std::string(e.batch_key), e.line, simdjson::minify(e.payload)});
      return;
    }
    ThreadRows& out = parsed[thread];
    if (!*kline) {
      ++out.open_candles;
      return;
    }
    core::Kline& k = **kline;
    const uint32_t series = out.series_id(k.source, k.symbol, k.interval);
    out.days_of(e.batch_key).insert(k.open_time.days_since_epoch());
    out.rows.push_back({series, k});
    ++out.rows_parsed;
    spill.after_object(thread, out);
  };
  const auto scan = [&](const std::vector<RawObject>& objects) -> core::Result<DaysByObject> {
    std::vector<RawObject> batches, ws_batches, archives;
    for (const RawObject& object : objects) {
      if (object.dataset == "archive") archives.push_back(object);
      else if (!object.key.ends_with(".ndjson.zst")) continue;
      else if (object.dataset == "ws_kline") ws_batches.push_back(object);
      else batches.push_back(object);
    }
    TRY_ASSIGN(const ScanStats envelopes, scan_batches(store, batches, "market_ohlcv", threads, handler, options.progress));
    TRY_ASSIGN(const ScanStats events, scan_batches(store, ws_batches, "market_ohlcv", threads, ws_handler));
    TRY_ASSIGN(const ScanStats files, scan_archives(store, archives, threads, parsed, spill));
    stats.batches += envelopes.batches + events.batches + files.batches;
    stats.bytes += envelopes.bytes + events.bytes + files.bytes;
    stats.quarantined += envelopes.quarantined + events.quarantined + files.quarantined;
    DaysByObject days;
    for (ThreadRows& t : parsed) {
      for (auto& [key, d] : t.take_days()) days[key].insert(d.begin(), d.end());
    }
    return days;
  };
  TRY_ASSIGN(const std::vector<RawObject> objects, list_raw_objects(store, {"klines", "archive", "ws_kline"}));
  const auto published = [&](const std::set<int64_t>& days) { return load_published_days(store, duckdb, days, parsed[0], spill); };
  TRY_ASSIGN(const IncrementalScan plan, scan_incrementally(objects, options.consumed, scan, published));
  if (options.now_consumed != nullptr) *options.now_consumed = plan.ledger;

  TRY(spill.finish_scan(parsed));
  spdlog::debug("market_ohlcv: scanned {} batches ({} MB) in {:.2f} s{}", stats.batches, stats.bytes / 1000000, elapsed(),
                spill.spilled() ? " (beyond the memory budget: spilled by day)" : "");

  // Rank every series by name across threads so files are ordered by (source, symbol, interval).
  std::map<std::string, uint32_t> ranks;
  for (const ThreadRows& t : parsed) {
    for (const std::string& name : t.series_names) ranks.emplace(name, 0);
  }
  uint32_t next_rank = 0;
  for (auto& [name, rank] : ranks) rank = next_rank++;
  std::vector<std::vector<uint32_t>> local_ranks(parsed.size());
  for (uint32_t t = 0; t < parsed.size(); ++t) {
    for (const std::string& name : parsed[t].series_names) local_ranks[t].push_back(ranks[name]);
    stats.records_in += parsed[t].rows_parsed + parsed[t].open_candles;
    stats.skipped += parsed[t].open_candles;
  }

  // Dedups and writes the rows the threads hold: all of them, or one group of spilled days.
  const auto write_held_rows = [&]() -> core::Status {
    // Each thread's rows are keyed on a thread of their own, into a region of `keys` as long as
    // its rows; then the gaps of rows left out are closed.
    std::vector<size_t> first_key(parsed.size() + 1, 0), kept(parsed.size(), 0);
    for (size_t t = 0; t < parsed.size(); ++t) first_key[t + 1] = first_key[t] + parsed[t].rows.size();
    std::vector<RowKey> keys(first_key.back());
    lake::for_each_on_threads(threads, parsed.size(), [&](size_t, size_t t) {
      RowKey* key = keys.data() + first_key[t];
      const std::vector<Row>& rows = parsed[t].rows;
      for (uint32_t i = 0; i < rows.size(); ++i) {
        const Row& row = rows[i];
        const int64_t day = day_of(row);
        // An incremental run rebuilds only the days new objects touch; rows of other days it read stay out.
        if (plan.days && !plan.days->contains(day)) continue;
        *key++ = {day, local_ranks[t][row.series], row.kline.open_time.micros(), -row.kline.received_at.micros(), static_cast<uint32_t>(t), i};
      }
      kept[t] = static_cast<size_t>(key - (keys.data() + first_key[t]));
    });
    auto kept_end = keys.begin() + static_cast<std::ptrdiff_t>(kept[0]);
    for (size_t t = 1; t < parsed.size(); ++t) {
      const auto region = keys.begin() + static_cast<std::ptrdiff_t>(first_key[t]);
      const auto region_kept = region + static_cast<std::ptrdiff_t>(kept[t]);
      kept_end = region == kept_end ? region_kept : std::move(region, region_kept, kept_end);  // no gap: nothing to move
    }
    keys.erase(kept_end, keys.end());
    lake::bucket_sort(keys, threads, [](const RowKey& key) { return key.day; });
    // Keep the first of each (series, open_time): the latest received.
    const auto last = std::unique(keys.begin(), keys.end(), [](const RowKey& a, const RowKey& b) {
      return a.series_rank == b.series_rank && a.open_time == b.open_time;
    });
    stats.duplicates += static_cast<size_t>(keys.end() - last);
    keys.erase(last, keys.end());
    stats.rows_out += keys.size();

    const std::vector<lake::PartitionSlice> slices = lake::day_slices(keys, [](const auto& key) { return key.day; });
    const auto fill = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
      batch.reserve(slice.end - slice.begin);
      for (size_t r = slice.begin; r < slice.end; ++r) {
        const ThreadRows& from = parsed[keys[r].thread];
        const Row& row = from.rows[keys[r].index];
        const SeriesName& name = from.series[row.series];
        const core::KlineValues& k = row.kline;
        batch.add(name.source);
        batch.add(name.symbol);
        batch.add(name.interval);
        batch.add(k.open_time.micros());
        batch.add(k.close_time.micros());
        batch.add(k.open);
        batch.add(k.high);
        batch.add(k.low);
        batch.add(k.close);
        batch.add(k.volume);
        batch.add(k.quote_volume);
        batch.add(k.trades);
        batch.add(k.taker_buy_base);
        batch.add(k.taker_buy_quote);
        batch.add(k.received_at.micros());
        batch.end_row();
      }
    };
    TRY_ASSIGN(const size_t written, lake::write_partitions(store, duckdb, "market_ohlcv", market_ohlcv_schema(), slices, fill, threads));
    stats.partitions += written;
    return {};
  };
  if (!spill.spilled()) {
    TRY(write_held_rows());
  } else {
    for (const std::vector<int64_t>& days : spill.groups(plan.days)) {
      TRY(spill.read_back(days, parsed));
      TRY(write_held_rows());
    }
  }
  spdlog::debug("market_ohlcv: wrote {} partitions at {:.2f} s", stats.partitions, elapsed());
  return stats;
}

}  // namespace cryptolake::transform
