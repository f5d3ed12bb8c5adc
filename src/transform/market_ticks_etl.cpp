#include "transform/market_ticks_etl.hpp"

#include <algorithm>
#include <mutex>

#include "sources/binance/ticker_parser.hpp"
#include "sources/coincap/coincap_parser.hpp"
#include "sources/coingecko/coingecko_parser.hpp"
#include "sources/rates/rates_parser.hpp"
#include "transform/partition_writer.hpp"

namespace cryptolake::transform {

using core::Timestamp;
using lake::ColumnType;

const std::vector<lake::ColumnSpec>& market_ticks_schema() {
  static const std::vector<lake::ColumnSpec> schema = {
      {"source", ColumnType::varchar},          {"symbol", ColumnType::varchar},
      {"ts", ColumnType::timestamp_tz},         {"price", ColumnType::float64},
      {"volume_24h", ColumnType::float64},      {"quote_volume_24h", ColumnType::float64},
      {"change_pct_24h", ColumnType::float64},  {"market_cap", ColumnType::float64},
      {"received_at", ColumnType::timestamp_tz}};
  return schema;
}

const std::vector<lake::ColumnSpec>& coin_stats_schema() {
  static const std::vector<lake::ColumnSpec> schema = {
      {"coin", ColumnType::varchar},         {"vs_currency", ColumnType::varchar}, {"ts", ColumnType::timestamp_tz},
      {"price", ColumnType::float64},        {"market_cap", ColumnType::float64},  {"total_volume", ColumnType::float64},
      {"received_at", ColumnType::timestamp_tz}};
  return schema;
}

namespace {

void add_optional(lake::ColumnBatch& batch, const std::optional<double>& value) {
  if (value) batch.add(*value);
  else batch.add_null();
}

// Items a parser rejected come as "reason\ttext".
void reject_all(std::vector<std::string>& rejected, const EnvelopeView& e, std::vector<lake::QuarantineRecord>& rejects) {
  for (std::string& item : rejected) {
    const size_t tab = item.find('\t');
    rejects.push_back({item.substr(0, tab), std::string(e.batch_key), e.line, tab == std::string::npos ? "" : item.substr(tab + 1)});
  }
  rejected.clear();
}

std::string request_field(const EnvelopeView& e, std::string_view key) {
  std::string_view value;
  return e.request[key].get_string().get(value) == simdjson::SUCCESS ? std::string(value) : std::string();
}

// Groups rows sorted by day into partition slices.
template <typename Row, typename DayOf>
std::vector<PartitionSlice> day_slices(const std::vector<Row>& rows, DayOf day_of) {
  std::vector<PartitionSlice> slices;
  for (size_t begin = 0; begin < rows.size();) {
    size_t end = begin;
    while (end < rows.size() && day_of(rows[end]) == day_of(rows[begin])) ++end;
    slices.push_back({Timestamp::from_micros(day_of(rows[begin]) * Timestamp::kMicrosPerDay).date(), begin, end});
    begin = end;
  }
  return slices;
}

}  // namespace

core::Result<EtlStats> run_market_ticks_etl(lake::ObjectStore& store, lake::DuckDb& duckdb, const EtlOptions& options) {
  EtlStats stats;
  stats.table = "market_ticks";
  const size_t threads = std::max<size_t>(1, options.threads);
  std::vector<std::vector<core::Tick>> parsed(threads);
  using Parser = core::Status (*)(simdjson::dom::element, Timestamp, std::vector<core::Tick>&, std::vector<std::string>&);
  const std::pair<const char*, Parser> datasets[] = {
      {"ticker_price", &sources::binance::parse_ticker_price}, {"ticker_24hr", &sources::binance::parse_ticker_24hr},
      {"assets", &sources::coincap::parse_assets},             {"currentprice", &sources::rates::parse_bpi},
      {"exchange_rates", &sources::rates::parse_coinbase_rates}};
  const auto land = [&](size_t thread, const EnvelopeView& e, size_t first) {
    for (size_t i = first; i < parsed[thread].size(); ++i) parsed[thread][i].source = std::string(e.source);
  };
  for (const auto& [dataset, parser] : datasets) {
    const auto handler = [&, parse = parser](size_t thread, const EnvelopeView& e, std::vector<lake::QuarantineRecord>& rejects) {
      std::vector<std::string> rejected;
      const size_t first = parsed[thread].size();
      if (auto status = parse(e.payload, e.received_at, parsed[thread], rejected); !status) {
        rejects.push_back({status.error().message, std::string(e.batch_key), e.line, simdjson::minify(e.payload)});
      }
      reject_all(rejected, e, rejects);
      land(thread, e, first);
    };
    TRY_ASSIGN(const ScanStats scan, scan_raw(store, dataset, "market_ticks", threads, handler, options.progress));
    stats.batches += scan.batches;
    stats.bytes += scan.bytes;
    stats.quarantined += scan.quarantined;
  }
  const auto history = [&](size_t thread, const EnvelopeView& e, std::vector<lake::QuarantineRecord>& rejects) {
    std::vector<std::string> rejected;
    const size_t first = parsed[thread].size();
    if (auto status = sources::coincap::parse_history(e.payload, request_field(e, "symbol"), e.received_at, parsed[thread], rejected);
        !status) {
      rejects.push_back({status.error().message, std::string(e.batch_key), e.line, simdjson::minify(e.request)});
    }
    reject_all(rejected, e, rejects);
    land(thread, e, first);
  };
  TRY_ASSIGN(const ScanStats scan, scan_raw(store, "asset_history", "market_ticks", threads, history, options.progress));
  stats.batches += scan.batches;
  stats.quarantined += scan.quarantined;

  std::vector<core::Tick> ticks;
  for (auto& part : parsed) std::move(part.begin(), part.end(), std::back_inserter(ticks));
  stats.records_in = ticks.size();
  const auto key_less = [](const core::Tick& a, const core::Tick& b) {
    const int64_t da = a.ts.days_since_epoch(), db = b.ts.days_since_epoch();
    if (da != db) return da < db;
    if (a.source != b.source) return a.source < b.source;
    if (a.symbol != b.symbol) return a.symbol < b.symbol;
    if (a.ts != b.ts) return a.ts < b.ts;
    return a.received_at > b.received_at;  // latest received first
  };
  std::ranges::sort(ticks, key_less);
  const auto duplicate = std::ranges::unique(ticks, [](const core::Tick& a, const core::Tick& b) {
    return a.source == b.source && a.symbol == b.symbol && a.ts == b.ts;
  });
  stats.duplicates = duplicate.size();
  ticks.erase(duplicate.begin(), duplicate.end());
  stats.rows_out = ticks.size();
  const auto fill = [&](const PartitionSlice& slice, lake::ColumnBatch& batch) {
    for (size_t r = slice.begin; r < slice.end; ++r) {
      const core::Tick& t = ticks[r];
      batch.add(t.source);
      batch.add(t.symbol.canonical());
      batch.add(t.ts.micros());
      batch.add(t.price);
      add_optional(batch, t.volume_24h);
      add_optional(batch, t.quote_volume_24h);
      add_optional(batch, t.change_pct_24h);
      add_optional(batch, t.market_cap);
      batch.add(t.received_at.micros());
      batch.end_row();
    }
  };
  TRY_ASSIGN(stats.partitions, write_partitions(store, duckdb, "market_ticks", market_ticks_schema(),
                                                day_slices(ticks, [](const core::Tick& t) { return t.ts.days_since_epoch(); }),
                                                fill, threads));
  return stats;
}

core::Result<EtlStats> run_coin_stats_etl(lake::ObjectStore& store, lake::DuckDb& duckdb, const EtlOptions& options) {
  EtlStats stats;
  stats.table = "coin_stats";
  const size_t threads = std::max<size_t>(1, options.threads);
  std::vector<std::vector<core::CoinStat>> parsed(threads);
  const auto handler = [&](size_t thread, const EnvelopeView& e, std::vector<lake::QuarantineRecord>& rejects) {
    const std::string coin = request_field(e, "coin");
    std::string vs = request_field(e, "vs_currency");
    if (coin.empty()) {
      rejects.push_back({"market_chart request without a coin", std::string(e.batch_key), e.line, simdjson::minify(e.request)});
      return;
    }
    std::vector<std::string> rejected;
    if (auto status = sources::coingecko::parse_market_chart(e.payload, coin, vs.empty() ? "usd" : vs, e.received_at,
                                                             parsed[thread], rejected);
        !status) {
      rejects.push_back({status.error().message, std::string(e.batch_key), e.line, simdjson::minify(e.payload)});
    }
    reject_all(rejected, e, rejects);
  };
  TRY_ASSIGN(const ScanStats scan, scan_raw(store, "market_chart", "coin_stats", threads, handler, options.progress));
  stats.batches = scan.batches;
  stats.bytes = scan.bytes;
  stats.quarantined = scan.quarantined;
  std::vector<core::CoinStat> rows;
  for (auto& part : parsed) std::move(part.begin(), part.end(), std::back_inserter(rows));
  stats.records_in = rows.size();
  std::ranges::sort(rows, [](const core::CoinStat& a, const core::CoinStat& b) {
    const int64_t da = a.ts.days_since_epoch(), db = b.ts.days_since_epoch();
    if (da != db) return da < db;
    if (a.coin != b.coin) return a.coin < b.coin;
    if (a.vs_currency != b.vs_currency) return a.vs_currency < b.vs_currency;
    if (a.ts != b.ts) return a.ts < b.ts;
    return a.received_at > b.received_at;
  });
  const auto duplicate = std::ranges::unique(rows, [](const core::CoinStat& a, const core::CoinStat& b) {
    return a.coin == b.coin && a.vs_currency == b.vs_currency && a.ts == b.ts;
  });
  stats.duplicates = duplicate.size();
  rows.erase(duplicate.begin(), duplicate.end());
  stats.rows_out = rows.size();
  const auto fill = [&](const PartitionSlice& slice, lake::ColumnBatch& batch) {
    for (size_t r = slice.begin; r < slice.end; ++r) {
      const core::CoinStat& s = rows[r];
      batch.add(s.coin);
      batch.add(s.vs_currency);
      batch.add(s.ts.micros());
      add_optional(batch, s.price);
      add_optional(batch, s.market_cap);
      add_optional(batch, s.total_volume);
      batch.add(s.received_at.micros());
      batch.end_row();
    }
  };
  TRY_ASSIGN(stats.partitions, write_partitions(store, duckdb, "coin_stats", coin_stats_schema(),
                                                day_slices(rows, [](const core::CoinStat& s) { return s.ts.days_since_epoch(); }),
                                                fill, threads));
  return stats;
}

}  // namespace cryptolake::transform
