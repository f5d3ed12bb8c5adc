#include "transform/market_events_etl.hpp"

#include <algorithm>
#include <tuple>

#include "lake/partition_writer.hpp"
#include "sources/binance/ws_event_parser.hpp"
#include "transform/incremental_scan.hpp"

namespace cryptolake::transform {

using lake::ColumnType;

const std::vector<lake::ColumnSpec>& trades_schema() {
  static const std::vector<lake::ColumnSpec> schema = {
      {"source", ColumnType::varchar},          {"market", ColumnType::varchar},         {"symbol", ColumnType::varchar},
      {"kind", ColumnType::varchar},            {"trade_id", ColumnType::bigint},        {"trade_time", ColumnType::timestamp_tz},
      {"price", ColumnType::float64},           {"quantity", ColumnType::float64},       {"buyer_is_maker", ColumnType::boolean},
      {"first_trade_id", ColumnType::bigint},   {"last_trade_id", ColumnType::bigint},   {"event_time", ColumnType::timestamp_tz},
      {"received_at", ColumnType::timestamp_tz}};
  return schema;
}

const std::vector<lake::ColumnSpec>& quotes_schema() {
  static const std::vector<lake::ColumnSpec> schema = {
      {"source", ColumnType::varchar},     {"market", ColumnType::varchar},       {"symbol", ColumnType::varchar},
      {"update_id", ColumnType::bigint},   {"ts", ColumnType::timestamp_tz},      {"bid_price", ColumnType::float64},
      {"bid_qty", ColumnType::float64},    {"ask_price", ColumnType::float64},    {"ask_qty", ColumnType::float64},
      {"event_time", ColumnType::timestamp_tz}, {"received_at", ColumnType::timestamp_tz}};
  return schema;
}

namespace {

// A parsed event with its canonical symbol spelled once (the sort compares it often).
template <class Event>
struct Parsed {
  std::string symbol;
  Event event;
};

// What one table needs from its event type: the datasets it reads, how an event parses, its
// partition time, its identity (ties broken by the latest receipt) and its row.
struct TradeTable {
  using Event = core::Trade;
  static constexpr const char* table = "trades";
  static std::vector<std::string> datasets() { return {"ws_trade", "ws_aggtrade"}; }
  static auto parse(simdjson::dom::element payload, std::string_view source, core::Timestamp at) {
    return sources::binance::parse_ws_trade(payload, source, at);
  }
  static core::Timestamp time(const Event& t) { return t.trade_time; }
  static auto identity(const Parsed<Event>& p) { return std::tie(p.event.source, p.symbol, p.event.kind, p.event.trade_id); }
  static const std::vector<lake::ColumnSpec>& schema() { return trades_schema(); }
  static void fill(const Parsed<Event>& p, lake::ColumnBatch& batch) {
    const core::Trade& t = p.event;
    batch.add(t.source);
    batch.add(sources::binance::market_of_source(t.source));
    batch.add(p.symbol);
    batch.add(t.kind);
    batch.add(t.trade_id);
    batch.add(t.trade_time.micros());
    batch.add(t.price);
    batch.add(t.quantity);
    batch.add(int64_t{t.buyer_is_maker});
    if (t.first_trade_id) batch.add(*t.first_trade_id); else batch.add_null();
    if (t.last_trade_id) batch.add(*t.last_trade_id); else batch.add_null();
    batch.add(t.event_time.micros());
    batch.add(t.received_at.micros());
    batch.end_row();
  }
};

struct QuoteTable {
  using Event = core::Quote;
  static constexpr const char* table = "quotes";
  static std::vector<std::string> datasets() { return {"ws_bookticker"}; }
  static auto parse(simdjson::dom::element payload, std::string_view source, core::Timestamp at) {
    return sources::binance::parse_ws_book_ticker(payload, source, at);
  }
  static core::Timestamp time(const Event& q) { return q.event_time.value_or(q.received_at); }
  static auto identity(const Parsed<Event>& p) { return std::tie(p.event.source, p.symbol, p.event.update_id); }
  static const std::vector<lake::ColumnSpec>& schema() { return quotes_schema(); }
  static void fill(const Parsed<Event>& p, lake::ColumnBatch& batch) {
    const core::Quote& q = p.event;
    batch.add(q.source);
    batch.add(sources::binance::market_of_source(q.source));
    batch.add(p.symbol);
    batch.add(q.update_id);
    batch.add(time(q).micros());
    batch.add(q.bid_price);
    batch.add(q.bid_qty);
    batch.add(q.ask_price);
    batch.add(q.ask_qty);
    if (q.event_time) batch.add(q.event_time->micros()); else batch.add_null();
    batch.add(q.received_at.micros());
    batch.end_row();
  }
};

template <class Table>
core::Result<lake::WriteStats> run_event_etl(lake::ObjectStore& store, lake::DuckDb& duckdb, const EtlOptions& options) {
  using Event = typename Table::Event;
  lake::WriteStats stats;
  stats.table = Table::table;
  const size_t threads = std::max<size_t>(1, options.threads);
  std::vector<std::vector<Parsed<Event>>> parsed(threads);
  std::vector<DaysByObject> days_by_key(threads);
  const auto handler = [&](size_t thread, const EnvelopeView& e, std::vector<lake::QuarantineRecord>& rejects) {
    auto event = Table::parse(e.payload, e.source, e.received_at);
    if (!event) {
      rejects.push_back({event.error().message, std::string(e.batch_key), e.line, simdjson::minify(e.payload)});
      return;
    }
    days_by_key[thread][std::string(e.batch_key)].insert(Table::time(*event).days_since_epoch());
    parsed[thread].push_back({event->symbol.canonical(), std::move(*event)});
  };
  const auto scan = [&](const std::vector<RawObject>& objects) -> core::Result<DaysByObject> {
    std::vector<RawObject> batches;
    for (const RawObject& object : objects) {
      if (object.key.ends_with(".ndjson.zst")) batches.push_back(object);
    }
    TRY_ASSIGN(const ScanStats scanned, scan_batches(store, batches, Table::table, threads, handler, options.progress));
    stats.batches += scanned.batches;
    stats.bytes += scanned.bytes;
    stats.quarantined += scanned.quarantined;
    DaysByObject days;
    for (DaysByObject& thread_days : days_by_key) {
      for (auto& [key, d] : thread_days) days[key].insert(d.begin(), d.end());
      thread_days.clear();
    }
    return days;
  };
  TRY_ASSIGN(const std::vector<RawObject> objects, list_raw_objects(store, Table::datasets()));
  TRY_ASSIGN(const IncrementalScan plan, scan_incrementally(objects, options.consumed, scan));
  if (options.now_consumed != nullptr) *options.now_consumed = plan.ledger;

  // Day, then identity, newest receipt first: the first of each identity is kept.
  std::vector<const Parsed<Event>*> rows;
  for (const auto& thread_rows : parsed) {
    stats.records_in += thread_rows.size();
    for (const Parsed<Event>& p : thread_rows) {
      if (!plan.days || plan.days->contains(Table::time(p.event).days_since_epoch())) rows.push_back(&p);
    }
  }
  const auto day = [](const Parsed<Event>* p) { return Table::time(p->event).days_since_epoch(); };
  std::sort(rows.begin(), rows.end(), [&](const Parsed<Event>* a, const Parsed<Event>* b) {
    if (day(a) != day(b)) return day(a) < day(b);
    if (Table::identity(*a) != Table::identity(*b)) return Table::identity(*a) < Table::identity(*b);
    return a->event.received_at > b->event.received_at;
  });
  const auto last = std::unique(rows.begin(), rows.end(), [](const Parsed<Event>* a, const Parsed<Event>* b) {
    return Table::identity(*a) == Table::identity(*b);
  });
  stats.duplicates = static_cast<size_t>(rows.end() - last);
  rows.erase(last, rows.end());
  stats.rows_out = rows.size();
  const std::vector<lake::PartitionSlice> slices = lake::day_slices(rows, day);
  const auto fill = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
    batch.reserve(slice.end - slice.begin);
    for (size_t r = slice.begin; r < slice.end; ++r) Table::fill(*rows[r], batch);
  };
  TRY_ASSIGN(stats.partitions, lake::write_partitions(store, duckdb, Table::table, Table::schema(), slices, fill, threads));
  return stats;
}

}  // namespace

core::Result<lake::WriteStats> run_trades_etl(lake::ObjectStore& store, lake::DuckDb& duckdb, const EtlOptions& options) {
  return run_event_etl<TradeTable>(store, duckdb, options);
}

core::Result<lake::WriteStats> run_quotes_etl(lake::ObjectStore& store, lake::DuckDb& duckdb, const EtlOptions& options) {
  return run_event_etl<QuoteTable>(store, duckdb, options);
}

}  // namespace cryptolake::transform
