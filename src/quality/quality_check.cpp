#include "quality/quality_check.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "lake/duckdb.hpp"
#include "lake/layout.hpp"

namespace cryptolake::quality {

using core::ErrorCode;
using core::fail;

std::string_view to_string(CheckKind kind) {
  switch (kind) {
    case CheckKind::not_null: return "not_null";
    case CheckKind::unique: return "unique";
    case CheckKind::accepted_range: return "accepted_range";
    case CheckKind::expression: return "expression";
    case CheckKind::freshness: return "freshness";
    case CheckKind::row_count: return "row_count";
    case CheckKind::referential: return "referential";
    case CheckKind::completeness: return "completeness";
  }
  return "?";
}

std::string_view to_string(Severity severity) { return severity == Severity::error ? "error" : "warn"; }

std::string CheckSpec::name() const {
  std::string args;
  for (const auto& c : columns) args += (args.empty() ? "" : ",") + c;
  if (kind == CheckKind::expression) args = expression;
  if (kind == CheckKind::referential) args += " in " + ref_table + "." + ref_column;
  return fmt::format("{}.{}({})", table, to_string(kind), args);
}

bool CheckSpec::partition_local() const {
  return kind != CheckKind::freshness && kind != CheckKind::row_count && kind != CheckKind::completeness;
}

namespace {

CheckSpec make(std::string table, CheckKind kind, std::vector<std::string> columns, Severity severity = Severity::error) {
  CheckSpec c;
  c.table = std::move(table);
  c.kind = kind;
  c.columns = std::move(columns);
  c.severity = severity;
  return c;
}

CheckSpec expr(std::string table, std::string expression, Severity severity = Severity::error) {
  CheckSpec c = make(std::move(table), CheckKind::expression, {}, severity);
  c.expression = std::move(expression);
  return c;
}

CheckSpec range(std::string table, std::string column, std::optional<double> min, std::optional<double> max,
                Severity severity = Severity::error) {
  CheckSpec c = make(std::move(table), CheckKind::accepted_range, {std::move(column)}, severity);
  c.min = min;
  c.max = max;
  return c;
}

CheckSpec row_count(std::string table) {
  CheckSpec c = make(std::move(table), CheckKind::row_count, {}, Severity::warn);
  c.min = 0.5;  // a partition within half to one and a half times the trailing mean
  c.max = 1.5;
  return c;
}

CheckSpec freshness(std::string table, std::string column, double hours) {
  CheckSpec c = make(std::move(table), CheckKind::freshness, {std::move(column)}, Severity::warn);
  c.max_age_hours = hours;
  return c;
}

CheckSpec referential(std::string table, std::string column, std::string ref_table, std::string ref_column) {
  CheckSpec c = make(std::move(table), CheckKind::referential, {std::move(column)}, Severity::warn);
  c.ref_table = std::move(ref_table);
  c.ref_column = std::move(ref_column);
  return c;
}

std::vector<CheckSpec> defaults() {
  const std::vector<std::string> ohlcv_key = {"source", "symbol", "interval", "open_time"};
  CheckSpec complete = make("market_ohlcv", CheckKind::completeness, {}, Severity::warn);
  complete.min = 0.99;
  return {
      make("market_ohlcv", CheckKind::not_null, {"source", "symbol", "interval", "open_time", "open", "high", "low", "close", "volume"}),
      make("market_ohlcv", CheckKind::unique, ohlcv_key),
      expr("market_ohlcv", "high >= greatest(open, close)"),
      expr("market_ohlcv", "low <= least(open, close)"),
      expr("market_ohlcv", "close_time > open_time"),
      range("market_ohlcv", "volume", 0.0, std::nullopt),
      range("market_ohlcv", "low", 1e-12, std::nullopt),
      complete,
      row_count("market_ohlcv"),
      freshness("market_ohlcv", "open_time", 48),
      referential("market_ohlcv", "symbol", "dim_symbol", "symbol"),
      make("market_features", CheckKind::not_null, {"open_time", "close", "ma_5", "ma_long"}),
      make("market_features", CheckKind::unique, ohlcv_key),
      range("market_features", "pct_change", -50.0, 50.0, Severity::warn),
      make("agg_market_daily", CheckKind::unique, {"source", "symbol", "interval"}),
      expr("agg_market_daily", "min_price <= max_price"),
      expr("agg_market_daily", "first_price BETWEEN min_price AND max_price AND last_price BETWEEN min_price AND max_price"),
      make("posts", CheckKind::not_null, {"platform", "post_id", "created_at", "text"}),
      make("posts", CheckKind::unique, {"platform", "post_id"}),
      row_count("posts"),
      referential("posts", "coins", "dim_coin", "coin"),
      make("market_ticks", CheckKind::not_null, {"source", "symbol", "ts", "price"}),
      make("market_ticks", CheckKind::unique, {"source", "symbol", "ts"}),
      range("market_ticks", "price", 1e-12, std::nullopt),
      make("trades", CheckKind::not_null, {"source", "symbol", "kind", "trade_id", "trade_time", "price", "quantity"}),
      make("trades", CheckKind::unique, {"source", "symbol", "kind", "trade_id"}),
      range("trades", "price", 1e-12, std::nullopt),
      make("quotes", CheckKind::not_null, {"source", "symbol", "update_id", "ts", "bid_price", "ask_price"}),
      make("quotes", CheckKind::unique, {"source", "symbol", "update_id"}),
      make("coin_stats", CheckKind::unique, {"coin", "vs_currency", "ts"}),
      range("coin_stats", "price", 0.0, std::nullopt),
      make("projections", CheckKind::unique, {"source", "symbol", "interval", "made_at", "horizon"}),
      expr("projections", "lower_95 <= mean AND mean <= upper_95 AND std >= 0"),
      make("stream_stats", CheckKind::unique, {"source", "symbol", "minute", "window_minutes"}),
      expr("stream_stats", "min <= mean AND mean <= max"),
      make("projection_outcomes", CheckKind::unique, {"source", "symbol", "interval", "made_at", "horizon"}),
      make("gaps", CheckKind::unique, {"source", "symbol", "interval", "gap_start"}),
      expr("completeness", "present <= expected"),
  };
}

core::Result<CheckKind> kind_of(std::string_view name) {
  for (CheckKind k : {CheckKind::not_null, CheckKind::unique, CheckKind::accepted_range, CheckKind::expression,
                      CheckKind::freshness, CheckKind::row_count, CheckKind::referential, CheckKind::completeness}) {
    if (to_string(k) == name) return k;
  }
  return fail(ErrorCode::invalid_argument, "quality check '{}' is not one of not_null, unique, accepted_range, expression, "
              "freshness, row_count, referential, completeness", name);
}

std::string column_list(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + lake::sql_identifier(c);
  return out;
}

}  // namespace

core::Result<std::vector<CheckSpec>> checks_from_config(const core::QualityConfig& config) {
  std::vector<CheckSpec> checks = defaults();
  for (const core::QualityCheckConfig& c : config.checks) {
    CheckSpec spec;
    spec.table = c.table;
    TRY_ASSIGN(spec.kind, kind_of(c.check));
    spec.columns = c.columns;
    spec.expression = c.expression;
    spec.min = c.min;
    spec.max = c.max;
    spec.max_age_hours = c.max_age_hours;
    spec.ref_table = c.ref_table;
    spec.ref_column = c.ref_column;
    if (c.severity != "error" && c.severity != "warn") {
      return fail(ErrorCode::invalid_argument, "quality check {}: severity '{}' is not warn or error", spec.name(), c.severity);
    }
    spec.severity = c.severity == "error" ? Severity::error : Severity::warn;
    checks.push_back(std::move(spec));
  }
  std::erase_if(checks, [&](const CheckSpec& c) { return std::ranges::find(config.disable, c.name()) != config.disable.end(); });
  return checks;
}

std::optional<std::string> row_violation(const CheckSpec& c) {
  const std::string col = c.columns.empty() ? "" : lake::sql_identifier(c.columns.front());
  switch (c.kind) {
    case CheckKind::not_null: {
      std::string any_null;
      for (const auto& name : c.columns) any_null += (any_null.empty() ? "" : " OR ") + lake::sql_identifier(name) + " IS NULL";
      return any_null;
    }
    case CheckKind::accepted_range: {
      std::string outside;
      if (c.min) outside += fmt::format("{} < {}", col, *c.min);
      if (c.max) outside += fmt::format("{}{} > {}", outside.empty() ? "" : " OR ", col, *c.max);
      return outside.empty() ? "false" : outside;
    }
    case CheckKind::expression:
      return fmt::format("NOT coalesce(({}), false)", c.expression);
    default:
      return std::nullopt;
  }
}

std::string observed_sql(const CheckSpec& c, std::string_view source, std::string_view table_glob, std::string_view dt,
                         std::string_view lake_root, std::string_view now_sql, bool list_column) {
  if (const auto violation = row_violation(c)) return fmt::format("SELECT count(*) FILTER (WHERE {}) FROM {}", *violation, source);
  const std::string col = c.columns.empty() ? "" : lake::sql_identifier(c.columns.front());
  switch (c.kind) {
    case CheckKind::not_null:
    case CheckKind::accepted_range:
    case CheckKind::expression:
      break;  // row_violation's
    case CheckKind::unique:
      return fmt::format("SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT {} FROM {})) FROM {}", column_list(c.columns),
                         source, source);
    case CheckKind::freshness:
      return fmt::format("SELECT (epoch_us({}) - epoch_us(max({}))) / 3.6e9 FROM read_parquet({}, union_by_name = true)", now_sql, col,
                         lake::sql_string(table_glob));
    case CheckKind::row_count:
      // Not a query per partition: run_checks counts a table's rows once and compares each
      // partition with the 7 before it (check_runner.cpp, row_count_ratio).
      return "SELECT NULL";
    case CheckKind::referential: {
      const std::string ref = fmt::format("read_parquet({}, union_by_name = true)",
                                          lake::sql_string(fmt::format("{}/{}dt=*/*.parquet", lake_root, lake::layout::table_prefix(c.ref_table))));
      // A list column is checked element by element.
      return fmt::format("SELECT count(*) FROM (SELECT {0} AS v FROM {1}) WHERE v IS NOT NULL AND v NOT IN (SELECT {2} FROM {3})",
                         list_column ? fmt::format("unnest({})", col) : col, source, lake::sql_identifier(c.ref_column), ref);
    }
    case CheckKind::completeness:
      return fmt::format("SELECT coalesce(min(present / expected), 1.0) FROM read_parquet({}) WHERE expected > 0",
                         lake::sql_string(fmt::format("{}/curated/completeness/dt={}/*.parquet", lake_root, dt)));
  }
  return "SELECT 0";
}

bool passes(const CheckSpec& c, double observed) {
  switch (c.kind) {
    case CheckKind::freshness: return observed <= c.max_age_hours;
    case CheckKind::row_count: return observed >= c.min.value_or(0.5) && observed <= c.max.value_or(1.5);
    case CheckKind::completeness: return observed >= c.min.value_or(0.99);
    default: return observed == 0;
  }
}

std::string threshold_text(const CheckSpec& c) {
  switch (c.kind) {
    case CheckKind::freshness: return fmt::format("<= {} h", c.max_age_hours);
    case CheckKind::row_count: return fmt::format("in [{}, {}] × trailing mean", c.min.value_or(0.5), c.max.value_or(1.5));
    case CheckKind::completeness: return fmt::format(">= {}", c.min.value_or(0.99));
    default: return "= 0 rows";
  }
}

}  // namespace cryptolake::quality
