#include "quality/check_runner.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "lake/curated_writer.hpp"
#include "lake/partition_commit.hpp"
#include "lake/partition_writer.hpp"
#include "lake/layout.hpp"
#include "lake/partition_versions.hpp"

namespace cryptolake::quality {

namespace {

std::map<std::string, std::set<std::string>> published(const lake::ObjectStore& store) {
  std::map<std::string, std::set<std::string>> tables;
  if (auto keys = store.list(lake::layout::kCurated)) {
    for (const std::string& key : *keys) {
      if (auto where = lake::layout::parse_curated_key(key)) tables[where->table].insert(where->dt);
    }
  }
  return tables;
}

std::string lake_root(const lake::ObjectStore& store) {
  std::string root = store.location("");
  while (root.ends_with('/')) root.pop_back();
  return root;
}

// Runs `checks` (all of one table) over `source`: the row conditions' counts in one scan, a scalar
// subquery for each other check.
core::Result<std::vector<CheckResult>> evaluate(lake::DuckConnection& connection, const lake::ObjectStore& store,
                                                const std::vector<const CheckSpec*>& checks, std::string_view table,
                                                std::string_view dt, std::string_view source, const RunContext& run,
                                                const std::set<std::string>& tables_present) {
  std::vector<CheckResult> results;
  if (checks.empty()) return results;
  // Which columns hold lists (for element-wise referential checks).
  std::set<std::string> list_columns, columns;
  TRY_ASSIGN(lake::QueryResult described, connection.query(fmt::format("DESCRIBE SELECT * FROM {}", source)));
  for (size_t r = 0; r < described.row_count(); ++r) {
    columns.insert(described.text(0, r));
    if (described.text(1, r).ends_with("[]")) list_columns.insert(described.text(0, r));
  }
  const std::string root = lake_root(store);
  const std::string glob = lake::table_glob(store, table);
  const std::string now_sql = run.at.sql_literal() + "::TIMESTAMPTZ";
  // Checks of a row condition count their breaking rows together, in one scan of the source;
  // the others (unique, referential) are a scalar subquery each, in a second query.
  std::string row_counts, subqueries;
  std::vector<const CheckSpec*> evaluated;
  std::vector<std::pair<bool, size_t>> column_of;  // per evaluated check: (of the row scan?, its column)
  size_t scanned = 0, subqueried = 0;
  for (const CheckSpec* c : checks) {
    CheckResult result{run.run_id, c->name(), std::string(table), std::string(dt), "skipped", c->severity, 0,
                       threshold_text(*c), run.at, ""};
    if (c->kind == CheckKind::referential && !tables_present.contains(c->ref_table)) {
      result.note = fmt::format("{} not built yet", c->ref_table);
      results.push_back(result);
      continue;
    }
    if (c->kind == CheckKind::completeness && !tables_present.contains("completeness")) {
      result.note = "completeness not built yet";
      results.push_back(result);
      continue;
    }
    const auto missing = std::ranges::find_if(c->columns, [&](const std::string& name) { return !columns.contains(name); });
    if (missing != c->columns.end()) {
      result.note = fmt::format("no column {}", *missing);
      results.push_back(result);
      continue;
    }
    if (const auto violation = row_violation(*c)) {
      row_counts += fmt::format("{}count(*) FILTER (WHERE {})::DOUBLE", scanned == 0 ? "" : ", ", *violation);
      column_of.emplace_back(true, scanned++);
    } else {
      const bool list = !c->columns.empty() && list_columns.contains(c->columns.front());
      subqueries += fmt::format("{}({})::DOUBLE", subqueried == 0 ? "" : ", ", observed_sql(*c, source, glob, dt, root, now_sql, list));
      column_of.emplace_back(false, subqueried++);
    }
    evaluated.push_back(c);
  }
  if (evaluated.empty()) return results;
  std::optional<lake::QueryResult> scan_values, subquery_values;
  bool failed = false;
  if (scanned > 0) {
    auto values = connection.query(fmt::format("SELECT {} FROM {}", row_counts, source));
    if (values) scan_values.emplace(std::move(*values)); else failed = true;
  }
  if (subqueried > 0 && !failed) {
    auto values = connection.query("SELECT " + subqueries);
    if (values) subquery_values.emplace(std::move(*values)); else failed = true;
  }
  if (failed) {
    // One bad check (a typo in a configured expression) must not hide the others: evaluate singly.
    for (const CheckSpec* c : evaluated) {
      CheckResult result{run.run_id, c->name(), std::string(table), std::string(dt), "fail", c->severity, 0, threshold_text(*c), run.at, ""};
      const bool list = !c->columns.empty() && list_columns.contains(c->columns.front());
      auto one = connection.query(fmt::format("SELECT ({})::DOUBLE", observed_sql(*c, source, glob, dt, root, now_sql, list)));
      if (!one) {
        result.note = one.error().message;
      } else {
        result.observed = one->is_null(0, 0) ? 0 : one->float64(0, 0);
        result.status = passes(*c, result.observed) ? "pass" : "fail";
      }
      results.push_back(result);
    }
    return results;
  }
  for (size_t i = 0; i < evaluated.size(); ++i) {
    const CheckSpec& c = *evaluated[i];
    const auto [of_scan, column] = column_of[i];
    lake::QueryResult& values = of_scan ? *scan_values : *subquery_values;
    const double observed = values.is_null(column, 0) ? 0 : values.float64(column, 0);
    results.push_back({run.run_id, c.name(), std::string(table), std::string(dt), passes(c, observed) ? "pass" : "fail",
                       c.severity, observed, threshold_text(c), run.at, ""});
  }
  return results;
}

// dt → rows of each partition of the table (from the files' metadata).
core::Result<std::map<std::string, int64_t>> partition_row_counts(lake::DuckConnection& connection, const lake::ObjectStore& store,
                                                                  std::string_view table) {
  TRY_ASSIGN(lake::QueryResult rows, connection.query(fmt::format(
      "SELECT regexp_extract(filename, 'dt=([0-9-]+)', 1) AS dt, count(*) AS n FROM read_parquet({}, filename = true, union_by_name = true) "
      "GROUP BY ALL", lake::sql_string(lake::table_glob(store, table)))));
  std::map<std::string, int64_t> counts;
  for (size_t r = 0; r < rows.row_count(); ++r) counts[rows.text(0, r)] = rows.int64(1, r);
  return counts;
}

// A partition's rows over the mean of the (up to) 7 partitions before it; 1 without any before.
double row_count_ratio(const std::map<std::string, int64_t>& counts, const std::string& dt) {
  const auto at = counts.find(dt);
  if (at == counts.end()) return 1.0;
  double sum = 0;
  int n = 0;
  for (auto it = at; it != counts.begin() && n < 7;) {
    --it;
    sum += static_cast<double>(it->second);
    ++n;
  }
  if (n == 0 || sum == 0) return 1.0;
  return static_cast<double>(at->second) / (sum / n);
}

std::set<std::string> names_of(const std::map<std::string, std::set<std::string>>& tables) {
  std::set<std::string> names;
  for (const auto& [name, dts] : tables) names.insert(name);
  return names;
}

}  // namespace

core::Result<TableVersions> published_versions(lake::ObjectStore& store) {
  TableVersions versions;
  for (const auto& [table, dts] : published(store)) {
    TRY_ASSIGN(versions[table], lake::partition_versions(store, table));
  }
  return versions;
}

TableVersions checked_versions(const lake::ObjectStore& store) {
  TableVersions versions;
  const std::string text = store.get(lake::layout::consumed_key("quality")).value_or("");
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    const size_t a = line.find('\t'), b = line.find('\t', a == std::string_view::npos ? a : a + 1);
    if (a == std::string_view::npos || b == std::string_view::npos) continue;
    versions[std::string(line.substr(0, a))][std::string(line.substr(a + 1, b - a - 1))] = std::string(line.substr(b + 1));
  }
  return versions;
}

core::Status record_checked_versions(lake::ObjectStore& store, const TableVersions& versions) {
  std::string text;
  for (const auto& [table, dts] : versions) {
    for (const auto& [dt, version] : dts) text += fmt::format("{}\t{}\t{}\n", table, dt, version);
  }
  return store.put(lake::layout::consumed_key("quality"), text);
}

core::Result<std::vector<CheckResult>> run_checks(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                  const std::vector<CheckSpec>& checks, const RunContext& run,
                                                  std::string_view only_table, const ChangedSince* changed) {
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  const auto tables = published(store);
  const auto present = names_of(tables);
  const auto version = [](const TableVersions& v, const std::string& table, const std::string& dt) -> const std::string* {
    const auto t = v.find(table);
    if (t == v.end()) return nullptr;
    const auto d = t->second.find(dt);
    return d == t->second.end() ? nullptr : &d->second;
  };
  const auto partition_changed = [&](const std::string& table, const std::string& dt) {
    if (changed == nullptr) return true;
    const std::string* before = version(changed->checked, table, dt);
    const std::string* after = version(changed->now, table, dt);
    return before == nullptr || after == nullptr || *before != *after;
  };
  const auto table_changed = [&](const std::string& table) {
    if (changed == nullptr) return true;
    const auto before = changed->checked.find(table);
    const auto after = changed->now.find(table);
    return before == changed->checked.end() || after == changed->now.end() || before->second != after->second;
  };
  std::vector<CheckResult> results;
  for (const auto& [table, dts] : tables) {
    if (!only_table.empty() && table != only_table) continue;
    std::vector<const CheckSpec*> per_partition, table_level;
    for (const CheckSpec& c : checks) {
      if (c.table != table) continue;
      (c.kind == CheckKind::freshness ? table_level : per_partition).push_back(&c);
    }
    const std::vector<std::string> ordered(dts.begin(), dts.end());
    std::optional<std::map<std::string, int64_t>> counts;  // dt → rows, read once when a row-count check is due
    for (size_t i = 0; i < ordered.size(); ++i) {
      const std::string& dt = ordered[i];
      // The checks whose inputs changed (all of them without `changed`).
      std::vector<const CheckSpec*> due;
      for (const CheckSpec* c : per_partition) {
        bool inputs_changed = partition_changed(table, dt);
        if (c->kind == CheckKind::row_count) {
          for (size_t j = i >= 7 ? i - 7 : 0; j < i && !inputs_changed; ++j) inputs_changed = partition_changed(table, ordered[j]);
        } else if (c->kind == CheckKind::referential) {
          inputs_changed = inputs_changed || table_changed(c->ref_table);
        } else if (c->kind == CheckKind::completeness) {
          inputs_changed = inputs_changed || partition_changed("completeness", dt);
        }
        if (inputs_changed) due.push_back(c);
      }
      // Row counts come from one count per table, not a scan of the table per partition.
      const auto row_counts = std::ranges::stable_partition(due, [](const CheckSpec* c) { return c->kind != CheckKind::row_count; });
      if (!row_counts.empty()) {
        if (!counts) {
          TRY_ASSIGN(counts, partition_row_counts(connection, store, table));
        }
        const double ratio = row_count_ratio(*counts, dt);
        for (const CheckSpec* c : row_counts) {
          results.push_back({run.run_id, c->name(), table, dt, passes(*c, ratio) ? "pass" : "fail", c->severity, ratio, threshold_text(*c), run.at, ""});
        }
        due.erase(row_counts.begin(), row_counts.end());
      }
      if (due.empty()) continue;
      const std::string source = fmt::format("read_parquet({})", lake::sql_string(lake::table_glob(store, table, dt)));
      TRY_ASSIGN(auto part, evaluate(connection, store, due, table, dt, source, run, present));
      std::move(part.begin(), part.end(), std::back_inserter(results));
    }
    const std::string all = fmt::format("read_parquet({}, union_by_name = true)", lake::sql_string(lake::table_glob(store, table)));
    TRY_ASSIGN(auto whole, evaluate(connection, store, table_level, table, "*", all, run, present));
    std::move(whole.begin(), whole.end(), std::back_inserter(results));
  }
  return results;
}

std::set<std::string> published_tables(const lake::ObjectStore& store) { return names_of(published(store)); }

core::Result<std::vector<CheckResult>> check_staged(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                    const std::vector<CheckSpec>& checks, std::string_view table,
                                                    std::string_view dt, std::string_view files_glob, const RunContext& run,
                                                    const std::set<std::string>& tables_present) {
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  std::vector<const CheckSpec*> local;
  for (const CheckSpec& c : checks) {
    if (c.table == table && c.partition_local()) local.push_back(&c);
  }
  return evaluate(connection, store, local, table, dt, fmt::format("read_parquet({})", lake::sql_string(files_glob)), run,
                  tables_present);
}

core::Status append_results(lake::ObjectStore& store, lake::DuckDb& duckdb, const std::vector<CheckResult>& results) {
  if (results.empty()) return {};
  using lake::ColumnType;
  static const std::vector<lake::ColumnSpec> schema = {
      {"run_id", ColumnType::varchar},    {"check", ColumnType::varchar},    {"table_name", ColumnType::varchar},
      {"partition", ColumnType::varchar}, {"status", ColumnType::varchar},   {"severity", ColumnType::varchar},
      {"observed", ColumnType::float64},  {"threshold", ColumnType::varchar}, {"note", ColumnType::varchar},
      {"at", ColumnType::timestamp_tz}};
  const std::string dt = results.front().at.date();
  lake::ColumnBatch batch(schema);
  // Earlier runs of the day come first, then this run's results.
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  const std::string existing = lake::table_glob(store, "dq_results", dt);
  if (store.list(lake::layout::partition_prefix("dq_results", dt)).value_or(std::vector<std::string>{}).size() > 0) {
    TRY_ASSIGN(lake::QueryResult old, connection.query(fmt::format(
        "SELECT run_id, \"check\", table_name, \"partition\", status, severity, observed, threshold, note, epoch_us(\"at\") "
        "FROM read_parquet({})", lake::sql_string(existing))));
    for (size_t r = 0; r < old.row_count(); ++r) {
      for (size_t c = 0; c < 6; ++c) batch.add(old.text(c, r));
      batch.add(old.float64(6, r));
      batch.add(old.text(7, r));
      batch.add(old.text(8, r));
      batch.add(old.int64(9, r));
      batch.end_row();
    }
  }
  for (const CheckResult& r : results) {
    batch.add(r.run_id);
    batch.add(r.check);
    batch.add(r.table);
    batch.add(r.partition);
    batch.add(r.status);
    batch.add(to_string(r.severity));
    batch.add(r.observed);
    batch.add(r.threshold);
    batch.add(r.note);
    batch.add(r.at.micros());
    batch.end_row();
  }
  lake::CuratedWriter writer(connection, store);
  TRY(writer.write("dq_results", dt, batch));
  return {};
}

bool has_failed_error(const std::vector<CheckResult>& results) {
  return std::ranges::any_of(results, [](const CheckResult& r) { return r.status == "fail" && r.severity == Severity::error; });
}

std::string format_report(const std::vector<CheckResult>& results) {
  std::map<std::string, std::array<size_t, 4>> per_table;  // pass, warn, error, skipped
  std::string failures;
  for (const CheckResult& r : results) {
    auto& counts = per_table[r.table];
    if (r.status == "pass") ++counts[0];
    else if (r.status == "skipped") ++counts[3];
    else ++counts[r.severity == Severity::error ? 2 : 1];
    if (r.status == "fail") {
      failures += fmt::format("  {:<5} {} [{}]: observed {:g}, expected {}{}\n", r.severity == Severity::error ? "ERROR" : "warn",
                              r.check, r.partition, r.observed, r.threshold, r.note.empty() ? "" : " — " + r.note);
    }
  }
  std::string out = fmt::format("{:<20} {:>6} {:>6} {:>6} {:>8}\n", "table", "pass", "warn", "error", "skipped");
  for (const auto& [table, c] : per_table) out += fmt::format("{:<20} {:>6} {:>6} {:>6} {:>8}\n", table, c[0], c[1], c[2], c[3]);
  if (!failures.empty()) out += "\nfailed checks:\n" + failures;
  return out;
}

}  // namespace cryptolake::quality
