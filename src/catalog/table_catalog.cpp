#include "catalog/table_catalog.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/decimal.hpp"
#include "core/json_text.hpp"
#include "lake/partition_commit.hpp"
#include "lake/layout.hpp"
#include "lake/partition_versions.hpp"

namespace cryptolake::catalog {

int64_t TableInfo::rows() const {
  int64_t n = 0;
  for (const auto& p : partitions) n += p.rows;
  return n;
}

int64_t TableInfo::bytes() const {
  int64_t n = 0;
  for (const auto& p : partitions) n += p.bytes;
  return n;
}

namespace {

constexpr const char* kTimeColumns[] = {"open_time", "ts", "created_at", "gap_start", "hour", "month_start", "at", "date", "interval_start"};

std::string registry_json(const TableInfo& t) {
  std::string out = fmt::format("{{\"table\":{},\"time_column\":{},\"versions\":[", core::json_string(t.name),
                                core::json_string(t.time_column));
  for (size_t v = 0; v < t.versions.size(); ++v) {
    out += fmt::format("{}{{\"version\":{},\"first_dt\":{},\"columns\":[", v ? "," : "", t.versions[v].version,
                       core::json_string(t.versions[v].first_dt));
    for (size_t c = 0; c < t.versions[v].columns.size(); ++c) {
      out += fmt::format("{}{{\"name\":{},\"type\":{}}}", c ? "," : "", core::json_string(t.versions[v].columns[c].name),
                         core::json_string(t.versions[v].columns[c].type));
    }
    out += "]}";
  }
  out += "],\"partitions\":[";
  for (size_t p = 0; p < t.partitions.size(); ++p) {
    const Partition& part = t.partitions[p];
    out += fmt::format("{}{{\"dt\":\"{}\",\"files\":{},\"rows\":{},\"bytes\":{},\"min\":{},\"max\":{},\"schema_version\":{}}}",
                       p ? "," : "", part.dt, part.files, part.rows, part.bytes, core::json_string(part.time_min),
                       core::json_string(part.time_max), part.schema_version);
  }
  out += "],\"problems\":[";
  for (size_t i = 0; i < t.problems.size(); ++i) out += (i ? "," : "") + core::json_string(t.problems[i]);
  return out + "]}\n";
}

// What the crawl read of one partition, kept by the partition's content version.
struct PartitionFacts {
  std::string version;
  std::vector<Column> columns;
  int64_t rows = 0;
  std::string time_column, time_min, time_max;  // the range of time_column
};

// One line per partition: dt, version, rows, time_column, time_min, time_max, then name/type pairs; fields
// separated by \x1f (column types hold spaces and commas), name and type by \x1e.
std::map<std::string, PartitionFacts> read_crawl_cache(const lake::ObjectStore& store, std::string_view table) {
  std::map<std::string, PartitionFacts> facts;
  const std::string text = store.get(lake::layout::crawl_cache_key(table)).value_or("");
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    std::vector<std::string> f;
    for (size_t start = pos; start <= end;) {
      const size_t sep = std::min(text.find('\x1f', start), end);
      f.emplace_back(text.substr(start, sep - start));
      start = sep + 1;
    }
    pos = end + 1;
    const auto rows = f.size() >= 6 ? core::parse_int(f[2]) : std::nullopt;
    if (!rows) continue;
    PartitionFacts& p = facts[f[0]];
    p.version = f[1];
    p.rows = *rows;
    p.time_column = f[3];
    p.time_min = f[4];
    p.time_max = f[5];
    for (size_t i = 6; i < f.size(); ++i) {
      const size_t split = f[i].find('\x1e');
      if (split != std::string::npos) p.columns.push_back({f[i].substr(0, split), f[i].substr(split + 1)});
    }
  }
  return facts;
}

core::Status write_crawl_cache(lake::ObjectStore& store, std::string_view table, const std::map<std::string, PartitionFacts>& facts) {
  std::string text;
  for (const auto& [dt, p] : facts) {
    text += fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", dt, p.version, p.rows, p.time_column, p.time_min, p.time_max);
    for (const Column& c : p.columns) text += fmt::format("\x1f{}\x1e{}", c.name, c.type);
    text += '\n';
  }
  return store.put(lake::layout::crawl_cache_key(table), text);
}

}  // namespace

core::Result<std::vector<TableInfo>> crawl(lake::ObjectStore& store, lake::DuckDb& duckdb) {
  TRY_ASSIGN(const std::vector<std::string> keys, store.list(lake::layout::kCurated));
  // table -> dt -> files
  std::map<std::string, std::map<std::string, std::vector<std::string>>> layout;
  for (const std::string& key : keys) {
    if (auto where = lake::layout::parse_curated_key(key)) layout[where->table][where->dt].push_back(key);
  }
  TRY_ASSIGN(lake::DuckConnection connection, duckdb.connect());
  std::vector<TableInfo> tables;
  for (const auto& [name, partitions] : layout) {
    TableInfo table;
    table.name = name;
    // A partition whose content version is the one last crawled is not read again.
    TRY_ASSIGN(const auto versions, lake::partition_versions(store, name));
    const std::map<std::string, PartitionFacts> cached = read_crawl_cache(store, name);
    std::map<std::string, PartitionFacts> crawled;
    for (const auto& [dt, files] : partitions) {
      Partition partition;
      partition.dt = dt;
      partition.files = files.size();
      std::string list;
      for (const std::string& key : files) {
        list += (list.empty() ? "" : ", ") + lake::sql_string(store.location(key));
        partition.bytes += static_cast<int64_t>(store.size(key).value_or(0));
      }
      const auto version = versions.find(dt);
      const auto known = cached.find(dt);
      PartitionFacts& facts = crawled[dt];
      const bool unchanged = version != versions.end() && known != cached.end() && known->second.version == version->second;
      if (unchanged) {
        facts = known->second;
      } else {
        facts.version = version == versions.end() ? std::string() : version->second;
        TRY_ASSIGN(lake::QueryResult described, connection.query(fmt::format("DESCRIBE SELECT * FROM read_parquet([{}])", list)));
        for (size_t r = 0; r < described.row_count(); ++r) facts.columns.push_back({described.text(0, r), described.text(1, r)});
      }
      const std::vector<Column>& columns = facts.columns;
      if (table.time_column.empty()) {
        for (const char* candidate : kTimeColumns) {
          if (std::ranges::any_of(columns, [&](const Column& c) { return c.name == candidate; })) {
            table.time_column = candidate;
            break;
          }
        }
      }
      // Schema versions: same columns → same version; only new columns → next version; a
      // changed type or a dropped column → a problem.
      if (table.versions.empty() || columns != table.versions.back().columns) {
        bool compatible = !table.versions.empty();
        if (!table.versions.empty()) {
          const auto& previous = table.versions.back().columns;
          for (const Column& old : previous) {
            const auto now = std::ranges::find(columns, old.name, &Column::name);
            if (now == columns.end()) {
              table.problems.push_back(fmt::format("dt={}: column {} disappeared", dt, old.name));
              compatible = false;
            } else if (now->type != old.type) {
              table.problems.push_back(fmt::format("dt={}: column {} changed type {} → {}", dt, old.name, old.type, now->type));
              compatible = false;
            }
          }
        }
        if (table.versions.empty() || compatible) {
          table.versions.push_back({static_cast<int>(table.versions.size()) + 1, columns, dt});
        }
      }
      partition.schema_version = table.versions.back().version;
      if (!unchanged || facts.time_column != table.time_column) {
        facts.time_column = table.time_column;
        const std::string time_expr = table.time_column.empty() ? "NULL" : lake::sql_identifier(table.time_column);
        TRY_ASSIGN(lake::QueryResult stats, connection.query(fmt::format(
            "SELECT count(*), min({0})::VARCHAR, max({0})::VARCHAR FROM read_parquet([{1}], union_by_name = true)", time_expr, list)));
        facts.rows = stats.int64(0, 0);
        facts.time_min = stats.is_null(1, 0) ? "" : stats.text(1, 0);
        facts.time_max = stats.is_null(2, 0) ? "" : stats.text(2, 0);
      }
      partition.rows = facts.rows;
      partition.time_min = facts.time_min;
      partition.time_max = facts.time_max;
      table.partitions.push_back(std::move(partition));
    }
    TRY(write_crawl_cache(store, name, crawled));
    TRY(store.put(lake::layout::table_registry_key(name), registry_json(table)));
    tables.push_back(std::move(table));
  }
  return tables;
}

}  // namespace cryptolake::catalog
