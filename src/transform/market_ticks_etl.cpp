#include "transform/market_ticks_etl.hpp"

#include "core/json_text.hpp"

#include <array>

#include <algorithm>
#include <mutex>

#include "sources/binance/ticker_parser.hpp"
#include "sources/coincap/coincap_parser.hpp"
#include "sources/coingecko/coingecko_parser.hpp"
#include "sources/rates/rates_parser.hpp"
#include "lake/partition_writer.hpp"

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

template <typename T>
void add_optional(lake::ColumnBatch& batch, const std::optional<T>& value) {
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


}  // namespace

core::Result<lake::WriteStats> run_market_ticks_etl(lake::ObjectStore& store, lake::DuckDb& duckdb, const EtlOptions& options) {
  lake::WriteStats stats;
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
  const auto fill = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
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
  TRY_ASSIGN(stats.partitions, lake::write_partitions(store, duckdb, "market_ticks", market_ticks_schema(),
                                                lake::day_slices(ticks, [](const core::Tick& t) { return t.ts.days_since_epoch(); }),
                                                fill, threads));
  return stats;
}

core::Result<lake::WriteStats> run_coin_stats_etl(lake::ObjectStore& store, lake::DuckDb& duckdb, const EtlOptions& options) {
  lake::WriteStats stats;
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
  const auto fill = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
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
  // Daily series over years would make a one-row file per day: coin_stats is cut by month
  // (dt = the month's first day), which also holds a 90-day hourly series in three files.
  const auto month_of = [](const core::CoinStat& s) {
    const core::CivilDate date = core::civil_from_days(s.ts.days_since_epoch());
    return core::days_from_civil(date.year, date.month, 1);
  };
  TRY_ASSIGN(stats.partitions, lake::write_partitions(store, duckdb, "coin_stats", coin_stats_schema(), lake::day_slices(rows, month_of), fill, threads));
  return stats;
}

namespace {

// coins/markets fields in their documented order: text, numbers, instants.
constexpr std::array<std::string_view, 4> kMarketText = {"id", "symbol", "name", "image"};
constexpr std::array<std::string_view, 19> kMarketNumbers = {
    "current_price", "market_cap", "market_cap_rank", "fully_diluted_valuation", "total_volume", "high_24h", "low_24h",
    "price_change_24h", "price_change_percentage_24h", "market_cap_change_24h", "market_cap_change_percentage_24h",
    "circulating_supply", "total_supply", "max_supply", "ath", "ath_change_percentage", "atl", "atl_change_percentage",
    "price_change_percentage_1h_in_currency"};
constexpr std::array<std::string_view, 3> kMarketInstants = {"ath_date", "atl_date", "last_updated"};

struct MarketRow {
  Timestamp snapshot_at, received_at;
  std::string vs_currency;
  std::array<std::optional<std::string>, kMarketText.size()> text;
  std::array<std::optional<double>, kMarketNumbers.size()> numbers;
  std::array<std::optional<Timestamp>, kMarketInstants.size()> instants;
  std::optional<std::string> roi, extra;
};

}  // namespace

const std::vector<lake::ColumnSpec>& coin_markets_schema() {
  static const std::vector<lake::ColumnSpec> schema = [] {
    std::vector<lake::ColumnSpec> columns = {{"snapshot_at", ColumnType::timestamp_tz}, {"vs_currency", ColumnType::varchar}};
    for (const auto name : kMarketText) columns.push_back({std::string(name), ColumnType::varchar});
    for (const auto name : kMarketNumbers) columns.push_back({std::string(name), ColumnType::float64});
    for (const auto name : kMarketInstants) columns.push_back({std::string(name), ColumnType::timestamp_tz});
    columns.push_back({"roi", ColumnType::varchar});
    columns.push_back({"extra", ColumnType::varchar});
    columns.push_back({"received_at", ColumnType::timestamp_tz});
    return columns;
  }();
  return schema;
}

core::Result<lake::WriteStats> run_coin_markets_etl(lake::ObjectStore& store, lake::DuckDb& duckdb, const EtlOptions& options) {
  lake::WriteStats stats;
  stats.table = "coin_markets";
  const size_t threads = std::max<size_t>(1, options.threads);
  std::vector<std::vector<MarketRow>> parsed(threads);
  const auto handler = [&](size_t thread, const EnvelopeView& e, std::vector<lake::QuarantineRecord>& rejects) {
    simdjson::dom::array items;
    if (e.payload.get_array().get(items) != simdjson::SUCCESS) {
      rejects.push_back({"coins/markets response is not an array", std::string(e.batch_key), e.line, simdjson::minify(e.payload)});
      return;
    }
    const std::string vs = request_field(e, "vs_currency");
    const size_t first = parsed[thread].size();
    for (simdjson::dom::element item : items) {
      simdjson::dom::object o;
      std::string_view id;
      if (item.get_object().get(o) != simdjson::SUCCESS || o["id"].get_string().get(id) != simdjson::SUCCESS) {
        rejects.push_back({"coins/markets item without an id", std::string(e.batch_key), e.line, simdjson::minify(item)});
        continue;
      }
      MarketRow row;
      row.received_at = e.received_at;
      row.vs_currency = vs.empty() ? "usd" : vs;
      std::string extra;
      for (const auto field : o) {
        const std::string_view key = field.key;
        if (field.value.is_null()) continue;  // stays null
        if (auto t = std::ranges::find(kMarketText, key); t != kMarketText.end()) {
          std::string_view text;
          if (field.value.get_string().get(text) == simdjson::SUCCESS) row.text[static_cast<size_t>(t - kMarketText.begin())] = std::string(text);
        } else if (auto n = std::ranges::find(kMarketNumbers, key); n != kMarketNumbers.end()) {
          double value = 0;
          if (field.value.get_double().get(value) == simdjson::SUCCESS) row.numbers[static_cast<size_t>(n - kMarketNumbers.begin())] = value;
        } else if (auto i = std::ranges::find(kMarketInstants, key); i != kMarketInstants.end()) {
          std::string_view text;
          if (field.value.get_string().get(text) == simdjson::SUCCESS) {
            row.instants[static_cast<size_t>(i - kMarketInstants.begin())] = Timestamp::parse_iso(text);
          }
        } else if (key == "roi") {
          row.roi = simdjson::minify(field.value);
        } else {
          extra += fmt::format("{}{}:{}", extra.empty() ? "{" : ",", core::json_string(key), simdjson::minify(field.value));
        }
      }
      if (!extra.empty()) row.extra = extra + "}";
      parsed[thread].push_back(std::move(row));
    }
    // One snapshot: the response's latest last_updated, else when it was received.
    Timestamp snapshot = e.received_at;
    bool any = false;
    for (size_t r = first; r < parsed[thread].size(); ++r) {
      if (const auto& updated = parsed[thread][r].instants[2]; updated && (!any || *updated > snapshot)) {
        snapshot = *updated;
        any = true;
      }
    }
    for (size_t r = first; r < parsed[thread].size(); ++r) parsed[thread][r].snapshot_at = snapshot;
  };
  TRY_ASSIGN(const ScanStats scan, scan_raw(store, "coins_markets", "coin_markets", threads, handler, options.progress));
  stats.batches = scan.batches;
  stats.bytes = scan.bytes;
  stats.quarantined = scan.quarantined;
  std::vector<MarketRow> rows;
  for (auto& part : parsed) std::move(part.begin(), part.end(), std::back_inserter(rows));
  stats.records_in = rows.size();
  std::ranges::sort(rows, [](const MarketRow& a, const MarketRow& b) {
    const int64_t da = a.snapshot_at.days_since_epoch(), db = b.snapshot_at.days_since_epoch();
    if (da != db) return da < db;
    if (a.text[0] != b.text[0]) return a.text[0] < b.text[0];
    if (a.vs_currency != b.vs_currency) return a.vs_currency < b.vs_currency;
    if (a.snapshot_at != b.snapshot_at) return a.snapshot_at < b.snapshot_at;
    return a.received_at > b.received_at;
  });
  const auto duplicate = std::ranges::unique(rows, [](const MarketRow& a, const MarketRow& b) {
    return a.text[0] == b.text[0] && a.vs_currency == b.vs_currency && a.snapshot_at == b.snapshot_at;
  });
  stats.duplicates = duplicate.size();
  rows.erase(duplicate.begin(), duplicate.end());
  stats.rows_out = rows.size();
  const auto fill = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
    for (size_t r = slice.begin; r < slice.end; ++r) {
      const MarketRow& m = rows[r];
      batch.add(m.snapshot_at.micros());
      batch.add(m.vs_currency);
      for (const auto& text : m.text) add_optional(batch, text);
      for (const auto& number : m.numbers) add_optional(batch, number);
      for (const auto& instant : m.instants) {
        if (instant) batch.add(instant->micros());
        else batch.add_null();
      }
      add_optional(batch, m.roi);
      add_optional(batch, m.extra);
      batch.add(m.received_at.micros());
      batch.end_row();
    }
  };
  TRY_ASSIGN(stats.partitions, lake::write_partitions(store, duckdb, "coin_markets", coin_markets_schema(),
                                                lake::day_slices(rows, [](const MarketRow& m) { return m.snapshot_at.days_since_epoch(); }),
                                                fill, threads));
  return stats;
}

}  // namespace cryptolake::transform
