#include "transform/dimensions.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <simdjson.h>

#include "core/market.hpp"
#include "lake/partition_commit.hpp"
#include "core/known_coins.hpp"
#include "lake/partition_writer.hpp"
#include "transform/raw_scan.hpp"
#include "lake/layout.hpp"
#include "sources/coincap/coincap_parser.hpp"

namespace cryptolake::transform {

using core::Timestamp;
using lake::ColumnType;

namespace {
void add_day(lake::ColumnBatch& batch, const std::string& date);
}  // namespace

core::Result<lake::WriteStats> build_dim_date(lake::ObjectStore& store, lake::DuckDb& duckdb, size_t threads) {
  lake::WriteStats stats;
  stats.table = "dim_date";
  std::set<std::string> days;
  TRY_ASSIGN(const auto keys, store.list(lake::layout::kCurated));
  for (const std::string& key : keys) {
    const auto where = lake::layout::parse_curated_key(key);
    if (!where || where->table.starts_with("dim_") || where->table == "dq_results") continue;
    days.insert(where->dt);
  }
  // One small file for all days: a partition per day would be thousands of one-row files.
  std::vector<std::string> all(days.begin(), days.end());
  std::vector<lake::PartitionSlice> slices;
  if (!all.empty()) slices.push_back({std::string(lake::layout::kStaticPartition), 0, all.size()});
  static const std::vector<lake::ColumnSpec> schema = {
      {"date_key", ColumnType::bigint}, {"date", ColumnType::varchar},   {"year", ColumnType::bigint},
      {"quarter", ColumnType::bigint},  {"month", ColumnType::bigint},   {"day", ColumnType::bigint},
      {"weekday", ColumnType::bigint},  {"weekday_name", ColumnType::varchar}, {"iso_week", ColumnType::bigint},
      {"is_weekend", ColumnType::bigint}};
  const auto fill = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
    for (size_t i = slice.begin; i < slice.end; ++i) add_day(batch, all[i]);
  };
  // Days no longer covered by any table leave with the old file (the partition is replaced).
  TRY_ASSIGN(stats.partitions, lake::write_partitions(store, duckdb, "dim_date", schema, slices, fill, threads));
  stats.rows_out = all.size();
  return stats;
}

namespace {

// One dim_date row.
void add_day(lake::ColumnBatch& batch, const std::string& date) {
  {
    static constexpr const char* kNames[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    const Timestamp day = *Timestamp::parse_date(date);
    const core::CivilDate c = core::civil_from_days(day.days_since_epoch());
    const int64_t weekday = (day.days_since_epoch() + 3) % 7 + 1;  // 1970-01-01 was a Thursday (4)
    // ISO week: the week of the Thursday in this date's week.
    const int64_t thursday = day.days_since_epoch() - weekday + 4;
    const core::CivilDate t = core::civil_from_days(thursday);
    const int64_t iso_week = (thursday - core::days_from_civil(t.year, 1, 1)) / 7 + 1;
    batch.add(int64_t{c.year} * 10000 + c.month * 100 + c.day);
    batch.add(date);
    batch.add(int64_t{c.year});
    batch.add(int64_t{(c.month - 1) / 3 + 1});
    batch.add(int64_t{c.month});
    batch.add(int64_t{c.day});
    batch.add(weekday);
    batch.add(kNames[weekday - 1]);
    batch.add(iso_week);
    batch.add(int64_t{weekday >= 6});
    batch.end_row();
  }
}

}  // namespace

core::Result<lake::WriteStats> build_dim_coin(lake::ObjectStore& store, lake::DuckDb& duckdb) {
  lake::WriteStats stats;
  stats.table = "dim_coin";
  struct Coin {
    std::string name, coingecko_id, coincap_id, binance_asset;
    std::set<std::string> aliases;
  };
  std::map<std::string, Coin> coins;
  for (const core::KnownCoin& k : core::known_coins()) {
    coins[k.coin] = {k.name, k.coingecko_id, k.coincap_id, "", {k.aliases.begin(), k.aliases.end()}};
  }
  // Symbols seen in market data: their bases and quotes are coins (Binance assets).
  std::set<std::string> symbols;
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  for (const char* table : {"market_ohlcv", "market_ticks"}) {
    if (store.list(lake::layout::table_prefix(table)).value_or(std::vector<std::string>{}).empty()) continue;
    TRY_ASSIGN(lake::QueryResult result, connection.query(fmt::format(
        "SELECT DISTINCT source, symbol FROM read_parquet({}) ORDER BY ALL", lake::sql_string(lake::table_glob(store, table)))));
    for (size_t r = 0; r < result.row_count(); ++r) {
      const std::string source = result.text(0, r), symbol = result.text(1, r);
      symbols.insert(symbol);
      const auto parsed = core::Symbol::parse(symbol);
      if (!parsed) continue;
      for (const std::string& asset : {parsed->base(), parsed->quote()}) {
        Coin& coin = coins[asset];
        if (coin.name.empty()) coin.name = asset;
        if (source.starts_with("binance") || source == "simulator") coin.binance_asset = asset;
        coin.aliases.insert([&] {
          std::string lower = asset;
          std::ranges::transform(lower, lower.begin(), [](char ch) { return static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); });
          return lower;
        }());
      }
    }
  }
  // CoinCap /assets answers name each coin's CoinCap id.
  const auto coincap = [&](size_t, const transform::EnvelopeView& e, std::vector<lake::QuarantineRecord>&) {
    auto assets = sources::coincap::parse_asset_refs(e.payload);
    if (!assets) return;
    for (sources::coincap::AssetRef& asset : *assets) {
      auto it = coins.find(asset.symbol);
      if (it == coins.end()) continue;  // only coins the lake trades or knows
      it->second.coincap_id = std::move(asset.id);
      if (it->second.name == it->first) it->second.name = std::move(asset.name);
    }
  };
  // Tolerates a lake without CoinCap data. Its handler rejects nothing, so it writes no quarantine:
  // the records market_ticks rejected from the same batches stay where that stage put them.
  (void)transform::scan_raw(store, "assets", "dim_coin", 1, coincap);
  std::vector<std::string> keys;
  for (const auto& [coin, info] : coins) keys.push_back(coin);
  static const std::vector<lake::ColumnSpec> schema = {
      {"coin", ColumnType::varchar},         {"name", ColumnType::varchar},
      {"coingecko_id", ColumnType::varchar}, {"coincap_id", ColumnType::varchar},
      {"binance_asset", ColumnType::varchar}, {"aliases", ColumnType::varchar_list}};
  const auto fill = [&](const lake::PartitionSlice&, lake::ColumnBatch& batch) {
    for (const std::string& key : keys) {
      const Coin& c = coins[key];
      batch.add(key);
      batch.add(c.name);
      batch.add(c.coingecko_id);
      batch.add(c.coincap_id);
      batch.add(c.binance_asset);
      std::string aliases;
      for (const std::string& a : c.aliases) aliases += (aliases.empty() ? "" : std::string(1, core::kListSeparator)) + a;
      batch.add(aliases);
      batch.end_row();
    }
  };
  TRY_ASSIGN(stats.partitions, lake::write_partitions(store, duckdb, "dim_coin", schema,
                                                          {{std::string(lake::layout::kStaticPartition), 0, keys.size()}}, fill, 1));
  stats.rows_out = keys.size();
  // dim_symbol: the market symbols with their coins.
  std::vector<std::string> symbol_list(symbols.begin(), symbols.end());
  static const std::vector<lake::ColumnSpec> symbol_schema = {
      {"symbol", ColumnType::varchar}, {"base", ColumnType::varchar}, {"quote", ColumnType::varchar}};
  TRY(lake::write_partitions(store, duckdb, "dim_symbol", symbol_schema,
                                  {{std::string(lake::layout::kStaticPartition), 0, symbol_list.size()}},
                                  [&](const lake::PartitionSlice&, lake::ColumnBatch& batch) {
                                    for (const std::string& s : symbol_list) {
                                      const auto parsed = core::Symbol::parse(s);
                                      batch.add(s);
                                      batch.add(parsed ? parsed->base() : "");
                                      batch.add(parsed ? parsed->quote() : "");
                                      batch.end_row();
                                    }
                                  }, 1));
  return stats;
}

}  // namespace cryptolake::transform
