// Declarative data-quality checks. Each check compiles to one SQL query over a partition (or the
// whole table) that yields an observed number; the check passes when it is within its threshold.
// Built-in defaults cover every curated table; cryptolake.toml adds checks and disables others.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace cryptolake::quality {

enum class CheckKind { not_null, unique, accepted_range, expression, freshness, row_count, referential, completeness };
enum class Severity { warn, error };

struct CheckSpec {
  std::string table;
  CheckKind kind = CheckKind::not_null;
  std::vector<std::string> columns;     // not_null, unique; the column for range/freshness/referential
  std::string expression;               // expression: a row condition that must hold
  std::optional<double> min, max;       // accepted_range; row_count: allowed ratio band; completeness: min ratio
  double max_age_hours = 48;            // freshness
  std::string ref_table, ref_column;    // referential
  Severity severity = Severity::error;

  std::string name() const;  // "market_ohlcv.unique(source,symbol,interval,open_time)"
  bool partition_local() const;  // can judge a staged partition on its own
};

std::string_view to_string(CheckKind kind);
std::string_view to_string(Severity severity);

// The defaults for every curated table, then the config's extra checks, minus disabled names.
[[nodiscard]] core::Result<std::vector<CheckSpec>> checks_from_config(const core::QualityConfig& config);

// The SQL giving one number, `observed`, for a check over `source` (a FROM-able expression);
// `table_glob` reads the whole table (for trailing means), `now_sql` is the run's instant (from
// its Clock, never the database's now(), so freshness is judged at the time the run says).
// `list_column`: the checked column holds lists (referential checks look at each element).
std::string observed_sql(const CheckSpec& check, std::string_view source, std::string_view table_glob,
                         std::string_view partition_dt, std::string_view lake_root, std::string_view now_sql,
                         bool list_column = false);
// For a check that counts the rows breaking a row condition (not_null, accepted_range,
// expression): the condition a breaking row meets, so several such checks count in one scan.
std::optional<std::string> row_violation(const CheckSpec& check);
// Whether `observed` passes.
bool passes(const CheckSpec& check, double observed);
// The threshold as people read it: "= 0", "<= 48 h", "in [0.5, 1.5]".
std::string threshold_text(const CheckSpec& check);

}  // namespace cryptolake::quality
