#include "core/config.hpp"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace cryptolake::core {

namespace {

// Reads table values into a config while remembering which keys were understood.
class TableReader {
 public:
  TableReader(const toml::table& root, std::string_view origin) : root_(root), origin_(origin) {}

  template <typename T>
  Status read(std::string_view section, std::string_view key, T& out) {
    known_.insert(fmt::format("{}.{}", section, key));
    const toml::node* node = root_.at_path(fmt::format("{}.{}", section, key)).node();
    if (node == nullptr) return {};
    if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      const toml::array* array = node->as_array();
      if (array == nullptr) return type_error(section, key, "an array of strings");
      out.clear();
      for (const toml::node& item : *array) {
        auto value = item.value<std::string>();
        if (!value) return type_error(section, key, "an array of strings");
        out.push_back(*value);
      }
      return {};
    } else if constexpr (std::is_same_v<T, std::string>) {
      auto value = node->value<std::string>();
      if (!value) return type_error(section, key, "a string");
      out = *value;
      return {};
    } else if constexpr (std::is_same_v<T, bool>) {
      auto value = node->value<bool>();
      if (!value) return type_error(section, key, "true or false");
      out = *value;
      return {};
    } else if constexpr (std::is_floating_point_v<T>) {
      auto value = node->value<double>();
      if (!value) return type_error(section, key, "a number");
      out = *value;
      return {};
    } else {
      auto value = node->value<int64_t>();
      if (!value) return type_error(section, key, "an integer");
      out = static_cast<T>(*value);
      return {};
    }
  }

  // A table of string settings passed through as they are ([bus.kafka] → librdkafka).
  Status read_settings(std::string_view section, std::string_view key, std::map<std::string, std::string>& out) {
    known_.insert(fmt::format("{}.{}", section, key));
    const toml::node* node = root_.at_path(fmt::format("{}.{}", section, key)).node();
    if (node == nullptr) return {};
    const toml::table* table = node->as_table();
    if (table == nullptr) return type_error(section, key, "a table of settings");
    for (const auto& [name, value] : *table) {
      auto text = value.value<std::string>();
      if (!text) return type_error(section, fmt::format("{}.{}", key, name.str()), "a string");
      out[std::string(name.str())] = *text;
    }
    return {};
  }

  // [[quality.checks]]: an array of tables, each read field by field.
  Status read_checks(std::vector<QualityCheckConfig>& out) {
    known_.insert("quality.checks");
    const toml::node* node = root_.at_path("quality.checks").node();
    if (node == nullptr) return {};
    const toml::array* array = node->as_array();
    if (array == nullptr) return fail(ErrorCode::invalid_argument, "{}: quality.checks must be [[quality.checks]] tables", origin_);
    size_t index = 0;
    for (const toml::node& item : *array) {
      const toml::table* t = item.as_table();
      if (t == nullptr) return fail(ErrorCode::invalid_argument, "{}: quality.checks[{}] must be a table", origin_, index);
      QualityCheckConfig check;
      for (const auto& [key, value] : *t) {
        const std::string k(key.str());
        const auto text = value.value<std::string>();
        const auto number = value.value<double>();
        if (k == "table" && text) check.table = *text;
        else if (k == "check" && text) check.check = *text;
        else if (k == "expression" && text) check.expression = *text;
        else if (k == "severity" && text) check.severity = *text;
        else if (k == "ref_table" && text) check.ref_table = *text;
        else if (k == "ref_column" && text) check.ref_column = *text;
        else if (k == "column" && text) check.columns = {*text};
        else if (k == "min" && number) check.min = *number;
        else if (k == "max" && number) check.max = *number;
        else if (k == "max_age_hours" && number) check.max_age_hours = *number;
        else if (k == "columns" && value.as_array()) {
          for (const toml::node& c : *value.as_array()) {
            if (auto name = c.value<std::string>()) check.columns.push_back(*name);
          }
        } else {
          return fail(ErrorCode::invalid_argument, "{}: quality.checks[{}]: unknown or mistyped key '{}'", origin_, index, k);
        }
      }
      if (check.table.empty() || check.check.empty()) {
        return fail(ErrorCode::invalid_argument, "{}: quality.checks[{}] needs table and check", origin_, index);
      }
      out.push_back(std::move(check));
      ++index;
    }
    return {};
  }

  // [[alerts]]: rules, each read field by field and checked for what its kind needs.
  Status read_alerts(std::vector<AlertRuleConfig>& out) {
    known_.insert("alerts");
    const toml::node* node = root_.get("alerts");
    if (node == nullptr) return {};
    const toml::array* array = node->as_array();
    if (array == nullptr) return fail(ErrorCode::invalid_argument, "{}: alerts must be [[alerts]] tables", origin_);
    size_t index = 0;
    for (const toml::node& item : *array) {
      const toml::table* t = item.as_table();
      if (t == nullptr) return fail(ErrorCode::invalid_argument, "{}: alerts[{}] must be a table", origin_, index);
      AlertRuleConfig rule;
      for (const auto& [key, value] : *t) {
        const std::string k(key.str());
        const auto text = value.value<std::string>();
        const auto number = value.value<double>();
        const auto integer = value.value<int64_t>();
        if (k == "name" && text) rule.name = *text;
        else if (k == "kind" && text) rule.kind = *text;
        else if (k == "symbol" && text) rule.symbol = *text;
        else if (k == "percent" && number) rule.percent = *number;
        else if (k == "zscore" && number) rule.zscore = *number;
        else if (k == "minutes" && integer && *integer > 0 && *integer <= 10'000) rule.minutes = static_cast<int>(*integer);
        else if (k == "horizon" && integer) rule.horizon = static_cast<int>(*integer);
        else if (k == "seconds" && integer && *integer > 0 && *integer <= 86'400) rule.seconds = static_cast<int>(*integer);
        else return fail(ErrorCode::invalid_argument, "{}: alerts[{}]: unknown or mistyped key '{}'", origin_, index, k);
      }
      if (rule.kind == "volume_zscore" && rule.minutes == 0) rule.minutes = 60;
      const bool valid = (rule.kind == "price_move" && rule.percent > 0 && rule.minutes >= 1) ||
                         (rule.kind == "volume_zscore" && rule.zscore > 0 && rule.minutes >= 2) ||
                         (rule.kind == "band_broken" && (rule.horizon == 1 || rule.horizon == 5 || rule.horizon == 10)) ||
                         (rule.kind == "stream_silent" && rule.seconds > 0 && rule.symbol.empty());
      if (!valid) {
        return fail(ErrorCode::invalid_argument,
                    "{}: alerts[{}]: kind must be price_move (percent > 0, minutes ≥ 1), volume_zscore (zscore > 0, minutes ≥ 2) "
                    "band_broken (horizon 1, 5 or 10) or stream_silent (seconds 1..86400, no symbol)", origin_, index);
      }
      if (rule.name.empty()) rule.name = fmt::format("{}-{}", rule.kind, index + 1);
      for (const AlertRuleConfig& other : out) {
        if (other.name == rule.name) return fail(ErrorCode::invalid_argument, "{}: alerts[{}]: a second rule named '{}'", origin_, index, rule.name);
      }
      out.push_back(std::move(rule));
      ++index;
    }
    return {};
  }

  // [[schedule.tasks]]: each task's keys, typed; what they mean (cron text, dependencies, the
  // command) is checked by schedule/dag, which knows the commands and says where the task is.
  Status read_tasks(std::vector<TaskConfig>& out) {
    known_.insert("schedule.tasks");
    const toml::node* node = root_.at_path("schedule.tasks").node();
    if (node == nullptr) return {};
    const toml::array* array = node->as_array();
    if (array == nullptr) return fail(ErrorCode::invalid_argument, "{}: schedule.tasks must be [[schedule.tasks]] tables", origin_);
    for (const toml::node& item : *array) {
      const toml::table* t = item.as_table();
      const int line = static_cast<int>(item.source().begin.line);
      if (t == nullptr) return fail(ErrorCode::invalid_argument, "{}:{}: schedule.tasks must be tables", origin_, line);
      TaskConfig task;
      task.line = line;
      for (const auto& [key, value] : *t) {
        const std::string k(key.str());
        const auto text = value.value<std::string>();
        const auto integer = value.value<int64_t>();
        const auto flag = value.value<bool>();
        if (k == "name" && text) task.name = *text;
        else if (k == "run" && text) task.run = *text;
        else if (k == "cron" && text) task.cron = *text;
        else if (k == "retries" && integer && *integer >= 0 && *integer <= 100) task.retries = static_cast<int>(*integer);
        else if (k == "retry_delay_seconds" && integer && *integer >= 0 && *integer <= 86'400) task.retry_delay_seconds = *integer;
        else if (k == "timeout_seconds" && integer && *integer >= 1 && *integer <= 7 * 86'400) task.timeout_seconds = *integer;
        else if (k == "catch_up" && flag) task.catch_up = *flag;
        else if (k == "depends_on" && value.as_array() != nullptr) {
          for (const toml::node& d : *value.as_array()) {
            auto name = d.value<std::string>();
            if (!name) return fail(ErrorCode::invalid_argument, "{}:{}: schedule.tasks: depends_on takes task names", origin_, line);
            task.depends_on.push_back(*name);
          }
        } else {
          return fail(ErrorCode::invalid_argument,
                      "{}:{}: schedule.tasks: unknown or mistyped key '{}' (name, run, cron, depends_on, retries 0-100, "
                      "retry_delay_seconds 0-86400, timeout_seconds 1-604800, catch_up)", origin_, static_cast<int>(value.source().begin.line), k);
        }
      }
      out.push_back(std::move(task));
    }
    return {};
  }

  Status reject_unknown() const {
    for (const auto& [section, node] : root_) {
      if (section.str() == "alerts" && known_.contains("alerts")) continue;  // [[alerts]]: read_alerts checked it
      const toml::table* table = node.as_table();
      if (table == nullptr) return fail(ErrorCode::invalid_argument, "{}: '{}' must be a [section]", origin_, section.str());
      for (const auto& [key, value] : *table) {
        const std::string path = fmt::format("{}.{}", section.str(), key.str());
        if (!known_.contains(path)) return fail(ErrorCode::invalid_argument, "{}: unknown key '{}'", origin_, path);
      }
    }
    return {};
  }

 private:
  std::unexpected<Error> type_error(std::string_view section, std::string_view key, std::string_view expected) const {
    return fail(ErrorCode::invalid_argument, "{}: {}.{} must be {}", origin_, section, key, expected);
  }

  const toml::table& root_;
  std::string origin_;
  std::set<std::string> known_;
};

}  // namespace

Result<Config> Config::parse(std::string_view toml_text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    return fail(ErrorCode::invalid_argument, "{}:{}:{}: {}", origin, e.source().begin.line, e.source().begin.column,
                e.description());
  }
  Config config;
  TableReader reader(root, origin);
  SimulatorConfig& sim = config.simulator;
  TRY(reader.read("lake", "path", config.lake));
  TRY(reader.read("log", "level", config.log_level));
  TRY(reader.read("simulator", "symbols", sim.symbols));
  TRY(reader.read("simulator", "days", sim.days));
  TRY(reader.read("simulator", "start", sim.start));
  TRY(reader.read("simulator", "seed", sim.seed));
  TRY(reader.read("simulator", "posts_per_hour", sim.posts_per_hour));
  TRY(reader.read("simulator", "sentiment_lead_minutes", sim.sentiment_lead_minutes));
  TRY(reader.read("simulator", "duplicate_rate", sim.duplicate_rate));
  TRY(reader.read("simulator", "late_rate", sim.late_rate));
  TRY(reader.read("simulator", "malformed_rate", sim.malformed_rate));
  TRY(reader.read("simulator", "gap_minutes", sim.gap_minutes));
  TRY(reader.read("features", "ma_window", config.features.ma_window));
  TRY(reader.read("features", "volatility_window", config.features.volatility_window));
  TRY(reader.read("projections", "window", config.projections.window));
  TRY(reader.read("projections", "refit_every", config.projections.refit_every));
  TRY(reader.read("projections", "last_days", config.projections.last_days));
  TRY(reader.read("binance", "base_url", config.binance.base_url));
  TRY(reader.read("binance", "weight_per_minute", config.binance.weight_per_minute));
  TRY(reader.read("binance", "backfill_share", config.binance.backfill_share));
  TRY(reader.read("binance", "api_key", config.binance.api_key));
  TRY(reader.read("coingecko", "base_url", config.coingecko.base_url));
  TRY(reader.read("coingecko", "calls_per_minute", config.coingecko.calls_per_minute));
  TRY(reader.read("coincap", "base_url", config.coincap.base_url));
  TRY(reader.read("coincap", "calls_per_minute", config.coincap.calls_per_minute));
  TRY(reader.read("rates", "coinbase_url", config.rates.coinbase_url));
  TRY(reader.read("rates", "bpi_url", config.rates.bpi_url));
  TRY(reader.read_checks(config.quality.checks));
  TRY(reader.read_alerts(config.alerts));
  TRY(reader.read("quality", "disable", config.quality.disable));
  TRY(reader.read("schedule", "max_catch_up", config.schedule.max_catch_up));
  TRY(reader.read("schedule", "concurrency", config.schedule.concurrency));
  TRY(reader.read_tasks(config.schedule.tasks));
  TRY(reader.read("webhook", "url", config.webhook.url));
  TRY(reader.read("webhook", "timeout_ms", config.webhook.timeout_ms));
  TRY(reader.read("webhook", "attempts", config.webhook.attempts));
  TRY(reader.read("webhook", "queue", config.webhook.queue));
  TRY(reader.read("etl", "memory_mb", config.etl.memory_mb));
  TRY(reader.read("duckdb", "threads", config.duckdb.threads));
  TRY(reader.read("duckdb", "memory_limit", config.duckdb.memory_limit));
  TRY(reader.read("sql", "memory_limit", config.sql.memory_limit));
  TRY(reader.read("sql", "max_answer_bytes", config.sql.max_answer_bytes));
  TRY(reader.read("sql", "cache_max_bytes", config.sql.cache_max_bytes));
  TRY(reader.read("sql", "hot_max_bytes", config.sql.hot_max_bytes));
  TRY(reader.read("bus", "url", config.bus.url));
  TRY(reader.read("bus", "topic_prefix", config.bus.topic_prefix));
  TRY(reader.read("bus", "partitions", config.bus.partitions));
  TRY(reader.read("bus", "fsync", config.bus.fsync));
  TRY(reader.read("bus", "segment_mb", config.bus.segment_mb));
  TRY(reader.read("bus", "retention_hours", config.bus.retention_hours));
  TRY(reader.read("bus", "retention_mb", config.bus.retention_mb));
  TRY(reader.read_settings("bus", "kafka", config.bus.kafka));
  TRY(reader.reject_unknown());
  if (config.bus.partitions < 1 || config.bus.partitions > 1024 || config.bus.segment_mb < 1 || config.bus.retention_hours < 0 ||
      config.bus.retention_mb < 0 || config.bus.topic_prefix.empty()) {
    return fail(ErrorCode::invalid_argument, "{}: bus: partitions 1-1024, segment_mb ≥ 1, retention not negative, a topic prefix", origin);
  }
  if (config.sql.max_answer_bytes < 1024 || config.sql.cache_max_bytes < 0 || config.sql.hot_max_bytes < 0) {
    return fail(ErrorCode::invalid_argument, "{}: sql.max_answer_bytes must be at least 1024, sql.cache_max_bytes and sql.hot_max_bytes not negative",
                origin);
  }
  if (config.etl.memory_mb < 1) return fail(ErrorCode::invalid_argument, "{}: etl.memory_mb must be at least 1", origin);
  if (config.features.ma_window < 2 || config.features.volatility_window < 2) {
    return fail(ErrorCode::invalid_argument, "{}: features windows must be at least 2", origin);
  }
  if (config.projections.window < 3 || config.projections.window > 1000 || config.projections.refit_every < 1 || config.projections.last_days < 0) {
    return fail(ErrorCode::invalid_argument, "{}: projections.window must be 3..1000, refit_every at least 1, last_days not negative", origin);
  }
  if (config.binance.backfill_share <= 0 || config.binance.backfill_share > 1) {
    return fail(ErrorCode::invalid_argument, "{}: binance.backfill_share must be in (0, 1]", origin);
  }
  if (config.schedule.max_catch_up < 0 || config.schedule.max_catch_up > 10'000 || config.schedule.concurrency < 1 || config.schedule.concurrency > 64) {
    return fail(ErrorCode::invalid_argument, "{}: schedule: max_catch_up 0-10000, concurrency 1-64", origin);
  }
  const WebhookConfig& hook = config.webhook;
  if (!(hook.url.empty() || hook.url.starts_with("http://") || hook.url.starts_with("https://")) || hook.timeout_ms < 1 ||
      hook.timeout_ms > 600'000 || hook.attempts < 1 || hook.attempts > 20 || hook.queue < 1 || hook.queue > 100'000) {
    return fail(ErrorCode::invalid_argument, "{}: webhook: an http(s):// url, timeout_ms 1..600000, attempts 1..20, queue 1..100000", origin);
  }
  if (sim.days < 1) return fail(ErrorCode::invalid_argument, "{}: simulator.days must be at least 1", origin);
  return config;
}

Result<Config> Config::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::not_found, "config file {} cannot be read", path.string());
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path.string());
}

}  // namespace cryptolake::core
