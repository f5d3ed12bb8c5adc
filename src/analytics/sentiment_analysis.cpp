#include "analytics/sentiment_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include <fmt/format.h>

#include "lake/partition_writer.hpp"
#include "lake/layout.hpp"

namespace cryptolake::analytics {

using core::Timestamp;
using lake::ColumnType;

void PostSentimentEnricher::enrich(core::Post& post) const {
  const auto split = [](std::string_view joined) {
    const auto items = core::split_list(joined);
    return std::vector<std::string>(items.begin(), items.end());
  };
  const auto coins = tagger_.tag(post.text_clean, split(post.cashtags), split(post.hashtags));
  std::string joined;
  for (const auto& c : coins) joined += (joined.empty() ? "" : std::string(1, core::kListSeparator)) + c;
  post.coins = joined;
  post.sentiment = scorer_->score(post.text_clean).compound;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  if (n < 3) return 0;
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0;
}

namespace {

// Ranks with ties sharing their mean rank.
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::ranges::sort(order, [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double mean_rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (size_t k = i; k <= j; ++k) r[order[k]] = mean_rank;
    i = j + 1;
  }
  return r;
}

// Pairs (sentiment at h, return at h + lag) where both exist.
std::pair<std::vector<double>, std::vector<double>> pairs(const std::map<int64_t, double>& sentiment,
                                                          const std::map<int64_t, double>& returns, int lag) {
  std::vector<double> x, y;
  for (const auto& [hour, s] : sentiment) {
    if (auto r = returns.find(hour + lag); r != returns.end()) {
      x.push_back(s);
      y.push_back(r->second);
    }
  }
  return {std::move(x), std::move(y)};
}

}  // namespace

double spearman(const std::vector<double>& x, const std::vector<double>& y) { return pearson(ranks(x), ranks(y)); }

CoinSummary summarize(std::string coin, std::string symbol, const std::map<int64_t, double>& sentiment,
                      const std::map<int64_t, double>& returns, int permutations) {
  CoinSummary s;
  s.coin = std::move(coin);
  s.symbol = std::move(symbol);
  auto [x0, y0] = pairs(sentiment, returns, 0);
  auto [x1, y1] = pairs(sentiment, returns, 1);
  s.hours = x0.size();
  s.pearson_same = pearson(x0, y0);
  s.spearman_same = spearman(x0, y0);
  s.pearson_next = pearson(x1, y1);
  s.spearman_next = spearman(x1, y1);
  for (int k = -kMaxLagHours; k <= kMaxLagHours; ++k) {
    auto [x, y] = pairs(sentiment, returns, k);
    const double r = pearson(x, y);
    s.lag_correlation[static_cast<size_t>(k + kMaxLagHours)] = r;
    if (std::abs(r) > std::abs(s.best_correlation)) {
      s.best_correlation = r;
      s.best_lag = k;
    }
  }
  // Permutation test: how often does shuffled sentiment correlate as strongly at that lag?
  auto [x, y] = pairs(sentiment, returns, s.best_lag);
  std::mt19937_64 rng(42);
  int as_strong = 0;
  for (int i = 0; i < permutations; ++i) {
    std::ranges::shuffle(x, rng);
    if (std::abs(pearson(x, y)) >= std::abs(s.best_correlation)) ++as_strong;
  }
  s.p_value = (as_strong + 1.0) / (permutations + 1.0);
  return s;
}

core::Result<lake::WriteStats> build_sentiment_tables(lake::ObjectStore& store, lake::DuckDb& duckdb, size_t threads) {
  lake::WriteStats stats;
  stats.table = "sentiment_price";
  if (store.list(lake::layout::table_prefix("posts")).value_or(std::vector<std::string>{}).empty()) return stats;
  const std::string posts = lake::sql_string(lake::table_glob(store, "posts"));
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  TRY_ASSIGN(lake::QueryResult days, connection.query(fmt::format(
      "SELECT DISTINCT strftime(date_trunc('hour', created_at), '%Y-%m-%d') AS d FROM read_parquet({}) "
      "WHERE coins IS NOT NULL AND len(coins) > 0 ORDER BY d", posts)));
  std::vector<lake::QueryPartition> hourly;
  for (size_t r = 0; r < days.row_count(); ++r) {
    const std::string dt = days.text(0, r);
    hourly.push_back({dt, fmt::format(
        "SELECT coin, date_trunc('hour', created_at) AS hour, count(*) AS posts, avg(sentiment ORDER BY post_id) AS sentiment, "
        "avg(CASE WHEN sentiment >= 0.05 THEN 1.0 ELSE 0.0 END) AS positive_share, "
        "avg(CASE WHEN sentiment <= -0.05 THEN 1.0 ELSE 0.0 END) AS negative_share, "
        "sum(sentiment * (1 + like_count + 2 * retweet_count) ORDER BY post_id) / sum(1 + like_count + 2 * retweet_count) "
        "  AS weighted_sentiment "
        // An hour lies within its day, so that day's posts partition is all it reads.
        "FROM (SELECT unnest(coins) AS coin, created_at, sentiment, like_count, retweet_count, post_id FROM read_parquet({}) "
        "      WHERE sentiment IS NOT NULL) "
        "GROUP BY ALL ORDER BY coin, hour", lake::sql_string(lake::table_glob(store, "posts", dt))),
        store.list(lake::layout::partition_prefix("posts", dt)).value_or(std::vector<std::string>{})});
  }
  TRY(lake::write_query_partitions(store, duckdb, "sentiment_hourly", hourly, lake::QueryReads::files, threads));
  if (store.list(lake::layout::table_prefix("agg_market_hourly")).value_or(std::vector<std::string>{}).empty()) return stats;

  // Each coin's price series: one (source, pair) — its USDT pair if traded, else USD, from the
  // source with the most hours (then by name), so a pair that two sources carry counts once.
  const std::string joined = fmt::format(
      "WITH hourly AS ("
      "  SELECT source, symbol, interval, hour, volume, ln(last_price / lag(last_price) OVER w) AS log_return "
      "  FROM read_parquet({0}) WINDOW w AS (PARTITION BY source, symbol, interval ORDER BY hour)), "
      "returns AS ("
      "  SELECT source, symbol, hour, volume, log_return, "
      "         CASE WHEN lead(hour) OVER w = hour + INTERVAL 1 HOUR THEN lead(log_return) OVER w END AS next_log_return "
      "  FROM hourly WINDOW w AS (PARTITION BY source, symbol, interval ORDER BY hour)), "
      "series AS (SELECT source, symbol, count(*) AS hours FROM read_parquet({0}) GROUP BY ALL), "
      "pick AS (SELECT coin, source, symbol FROM ("
      "         SELECT split_part(symbol, '-', 1) AS coin, source, symbol, row_number() OVER ("
      "           PARTITION BY split_part(symbol, '-', 1) "
      "           ORDER BY CASE split_part(symbol, '-', 2) WHEN 'USDT' THEN 0 WHEN 'USD' THEN 1 ELSE 2 END, hours DESC, source, symbol) AS rank "
      "         FROM series) WHERE rank = 1) "
      "SELECT s.coin, p.symbol, p.source AS price_source, s.hour, s.posts, s.sentiment, s.positive_share, s.negative_share, s.weighted_sentiment, "
      "       r.log_return, r.next_log_return, r.volume "
      "FROM read_parquet({1}) s JOIN pick p USING (coin) JOIN returns r ON r.source = p.source AND r.symbol = p.symbol AND r.hour = s.hour",
      lake::sql_string(lake::table_glob(store, "agg_market_hourly")), lake::sql_string(lake::table_glob(store, "sentiment_hourly")));
  // The join reads every hour of every coin: run it once into a table of the (in-memory)
  // database that every writer connection sees, then cut it into days.
  TRY(connection.execute(fmt::format("CREATE OR REPLACE TABLE sentiment_price_staged AS {}", joined)));
  // A day's rows read that day's sentiment and hourly returns, whose first and last hours lag and
  // lead into the days beside it; and which pair prices each coin.
  TRY_ASSIGN(lake::QueryResult picks, connection.query("SELECT DISTINCT coin, price_source, symbol FROM sentiment_price_staged ORDER BY ALL"));
  std::string priced_by;
  std::map<std::string, std::string> source_of;  // coin → the source of its price series
  for (size_t r = 0; r < picks.row_count(); ++r) {
    priced_by += fmt::format(" {}={}:{}", picks.text(0, r), picks.text(1, r), picks.text(2, r));
    source_of[picks.text(0, r)] = picks.text(1, r);
  }
  TRY_ASSIGN(const std::vector<std::string> hourly_keys, store.list(lake::layout::table_prefix("agg_market_hourly")));
  std::map<std::string, std::vector<std::string>> hourly_by_day;
  for (const std::string& key : hourly_keys) {
    if (auto where = lake::layout::parse_curated_key(key)) hourly_by_day[where->dt].push_back(key);
  }
  std::vector<lake::QueryPartition> priced;
  for (const auto& p : hourly) {
    std::vector<std::string> inputs = store.list(lake::layout::partition_prefix("sentiment_hourly", p.dt)).value_or(std::vector<std::string>{});
    const auto day = hourly_by_day.lower_bound(p.dt);
    for (auto it = day == hourly_by_day.begin() ? day : std::prev(day); it != hourly_by_day.end() && it->first <= p.dt; ++it) {
      inputs.insert(inputs.end(), it->second.begin(), it->second.end());
    }
    if (const auto next = hourly_by_day.upper_bound(p.dt); next != hourly_by_day.end()) inputs.insert(inputs.end(), next->second.begin(), next->second.end());
    // The day as a range of timestamps, each a constant: every day's query scans the staged hours,
    // and converting each hour (epoch_us, or formatting its date) cost days × hours.
    const Timestamp day_start = Timestamp::parse_date(p.dt).value_or(Timestamp{});
    priced.push_back({p.dt, fmt::format("/* priced by{} */ SELECT * EXCLUDE (price_source) FROM sentiment_price_staged "
                                        "WHERE hour >= {}::TIMESTAMPTZ AND hour < {}::TIMESTAMPTZ ORDER BY coin, hour",
                                        priced_by, day_start.sql_literal(), (day_start + Timestamp::kMicrosPerDay).sql_literal()), std::move(inputs)});
  }
  auto priced_written = lake::write_query_partitions(store, duckdb, "sentiment_price", priced, lake::QueryReads::instance_tables, threads);
  TRY(connection.execute("DROP TABLE sentiment_price_staged"));
  TRY_ASSIGN(const lake::WrittenCounts written, std::move(priced_written));
  stats.partitions = written.partitions;
  stats.rows_out = written.rows;

  // The summary, per coin, in C++ (permutation tests).
  TRY_ASSIGN(lake::QueryResult series, connection.query(fmt::format(
      "SELECT coin, symbol, epoch_us(hour) // 3600000000 AS h, sentiment, log_return FROM read_parquet({}) ORDER BY coin, h",
      lake::sql_string(lake::table_glob(store, "sentiment_price")))));
  std::map<std::string, std::tuple<std::string, std::map<int64_t, double>, std::map<int64_t, double>>> per_coin;
  for (size_t r = 0; r < series.row_count(); ++r) {
    auto& [symbol, sentiment, returns] = per_coin[series.text(0, r)];
    symbol = series.text(1, r);
    const int64_t h = series.int64(2, r);
    if (!series.is_null(3, r)) sentiment[h] = series.float64(3, r);
    if (!series.is_null(4, r)) returns[h] = series.float64(4, r);
  }
  // Returns exist for hours without posts too: take them from the hourly aggregates, every coin's
  // series in one pass over them (a pass per coin read the whole table as many times).
  std::string series_pairs;
  std::map<std::pair<std::string, std::string>, std::string> coin_of;  // (source, symbol) → coin
  for (const auto& [coin, data] : per_coin) {
    const std::string& symbol = std::get<0>(data);
    series_pairs += fmt::format("{}({}, {})", series_pairs.empty() ? "" : ", ", lake::sql_string(source_of[coin]), lake::sql_string(symbol));
    coin_of[{source_of[coin], symbol}] = coin;
  }
  if (!series_pairs.empty()) {
    TRY_ASSIGN(lake::QueryResult all_returns, connection.query(fmt::format(
        "SELECT source, symbol, epoch_us(hour) // 3600000000, ln(last_price / lag(last_price) OVER (PARTITION BY source, symbol ORDER BY hour)) "
        "FROM read_parquet({}) JOIN (VALUES {}) AS picked(source, symbol) USING (source, symbol) ORDER BY source, symbol, hour",
        lake::sql_string(lake::table_glob(store, "agg_market_hourly")), series_pairs)));
    for (size_t r = 0; r < all_returns.row_count(); ++r) {
      if (all_returns.is_null(3, r)) continue;
      auto& returns = std::get<2>(per_coin[coin_of[{all_returns.text(0, r), all_returns.text(1, r)}]]);
      returns[all_returns.int64(2, r)] = all_returns.float64(3, r);
    }
  }
  std::vector<CoinSummary> summaries;
  for (auto& [coin, data] : per_coin) {
    auto& [symbol, sentiment, returns] = data;
    summaries.push_back(summarize(coin, symbol, sentiment, returns));
  }
  static const std::vector<lake::ColumnSpec> schema = {
      {"coin", ColumnType::varchar},           {"symbol", ColumnType::varchar},       {"hours", ColumnType::bigint},
      {"pearson_same_hour", ColumnType::float64}, {"spearman_same_hour", ColumnType::float64},
      {"pearson_next_hour", ColumnType::float64}, {"spearman_next_hour", ColumnType::float64},
      {"best_lag_hours", ColumnType::bigint},  {"best_lag_correlation", ColumnType::float64},
      {"p_value", ColumnType::float64},        {"lag_correlations", ColumnType::varchar},
      {"low_sample", ColumnType::bigint}};
  TRY(lake::write_partitions(store, duckdb, "sentiment_price_summary", schema,
                                  {{std::string(lake::layout::kStaticPartition), 0, summaries.size()}},
                                  [&](const lake::PartitionSlice&, lake::ColumnBatch& batch) {
                                    for (const CoinSummary& s : summaries) {
                                      batch.add(s.coin);
                                      batch.add(s.symbol);
                                      batch.add(static_cast<int64_t>(s.hours));
                                      batch.add(s.pearson_same);
                                      batch.add(s.spearman_same);
                                      batch.add(s.pearson_next);
                                      batch.add(s.spearman_next);
                                      batch.add(static_cast<int64_t>(s.best_lag));
                                      batch.add(s.best_correlation);
                                      batch.add(s.p_value);
                                      std::string lags;
                                      for (int k = -kMaxLagHours; k <= kMaxLagHours; ++k) {
                                        lags += fmt::format("{}{:+d}:{:.3f}", lags.empty() ? "" : " ", k,
                                                            s.lag_correlation[static_cast<size_t>(k + kMaxLagHours)]);
                                      }
                                      batch.add(lags);
                                      batch.add(int64_t{s.low_sample()});
                                      batch.end_row();
                                    }
                                  }, 1));
  return stats;
}

}  // namespace cryptolake::analytics
