#include "schedule/dag.hpp"

#include <map>
#include <utility>

#include <fmt/format.h>

#include "core/excerpt.hpp"
#include "core/json_text.hpp"

namespace cryptolake::schedule {

namespace {

constexpr std::string_view kStart = "{interval_start}", kEnd = "{interval_end}";

std::string first_word(std::string_view run) {
  const size_t begin = run.find_first_not_of(' ');
  if (begin == std::string_view::npos) return {};
  return std::string(run.substr(begin, run.find(' ', begin) - begin));
}

// What is wrong with a task's command text; empty when nothing.
std::string check_run(std::string_view run, const std::set<std::string, std::less<>>& commands) {
  if (run.find_first_of("\n\r;|&`$<>") != std::string_view::npos) {
    return "run is one cryptolake command line: no newlines or shell operators (; | & ` $ < >)";
  }
  char quote = 0;
  for (const char c : run) {
    if (quote != 0) quote = c == quote ? 0 : quote;
    else if (c == '"' || c == '\'') quote = c;
  }
  if (quote != 0) return fmt::format("run '{}': a quote ({}) is not closed", core::excerpt(run, 60), quote);
  const std::string command = first_word(run);
  if (command.empty()) return "run is empty: give a cryptolake command line, e.g. run = \"etl\"";
  if (!commands.contains(command)) {
    std::string known;
    for (const auto& c : commands) known += (known.empty() ? "" : ", ") + c;
    return fmt::format("run '{}': '{}' is not a command a task can run ({})", core::excerpt(run, 60), core::excerpt(command, 30), known);
  }
  for (size_t open = run.find('{'); open != std::string_view::npos; open = run.find('{', open + 1)) {
    const std::string_view rest = run.substr(open);
    if (!rest.starts_with(kStart) && !rest.starts_with(kEnd)) {
      return fmt::format("run '{}': the only placeholders are {} and {}", core::excerpt(run, 60), kStart, kEnd);
    }
  }
  return {};
}

}  // namespace

std::vector<core::TaskConfig> default_tasks() {
  const auto task = [](std::string name, std::string run, std::vector<std::string> depends_on) {
    core::TaskConfig t;
    t.name = std::move(name);
    t.run = std::move(run);
    t.cron = "0 * * * *";
    t.depends_on = std::move(depends_on);
    return t;
  };
  return {
      task("ingest", "stream run --source simulator --from {interval_start} --to {interval_end} --speed max --exit-when-idle 1", {}),
      task("etl", "etl", {"ingest"}),
      task("quality", "quality --changed", {"etl"}),
      task("catalog", "catalog list", {"quality"}),
  };
}

DagCheck check_dag(const core::ScheduleConfig& config, const std::set<std::string, std::less<>>& commands) {
  DagCheck check;
  Dag dag;
  dag.is_default = config.tasks.empty();
  const std::vector<core::TaskConfig> tasks = dag.is_default ? default_tasks() : config.tasks;
  const auto problem = [&](const core::TaskConfig& t, std::string message) { check.problems.push_back({t.line, t.name, std::move(message)}); };

  std::map<std::string, size_t, std::less<>> index;
  std::vector<std::optional<CronSchedule>> crons(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    const core::TaskConfig& t = tasks[i];
    if (t.name.empty() || t.name.size() > 64 || t.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos) {
      problem(t, fmt::format("name '{}': 1-64 characters of a-z, 0-9, _ and -", core::excerpt(t.name, 70)));
    } else if (!index.emplace(t.name, i).second) {
      problem(t, fmt::format("a second task named '{}'", t.name));
    }
    if (const std::string wrong = check_run(t.run, commands); !wrong.empty()) problem(t, wrong);
    if (t.cron.empty()) {
      problem(t, "cron is missing: when the task's intervals end, e.g. cron = \"0 * * * *\" (hourly)");
    } else if (auto cron = CronSchedule::parse(t.cron); !cron) {
      problem(t, fmt::format("cron: {}", cron.error().message));
    } else {
      crons[i] = std::move(*cron);
    }
  }
  std::vector<std::vector<size_t>> upstream(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    for (const std::string& d : tasks[i].depends_on) {
      const auto it = index.find(d);
      if (it == index.end()) problem(tasks[i], fmt::format("depends on '{}', which is not a task", core::excerpt(d, 70)));
      else if (it->second == i) problem(tasks[i], "depends on itself");
      else upstream[i].push_back(it->second);
    }
  }
  // Dependencies first (Kahn); what never becomes ready is in a cycle.
  std::vector<size_t> waiting(tasks.size()), order;
  std::vector<std::vector<size_t>> downstream(tasks.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    waiting[i] = upstream[i].size();
    for (size_t u : upstream[i]) downstream[u].push_back(i);
  }
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (waiting[i] == 0) order.push_back(i);
  }
  for (size_t k = 0; k < order.size(); ++k) {
    for (size_t d : downstream[order[k]]) {
      if (--waiting[d] == 0) order.push_back(d);
    }
  }
  if (order.size() < tasks.size()) {
    std::string cycle;
    for (size_t i = 0; i < tasks.size(); ++i) {
      if (waiting[i] > 0) cycle += (cycle.empty() ? "" : ", ") + tasks[i].name;
    }
    for (size_t i = 0; i < tasks.size(); ++i) {
      if (waiting[i] > 0) problem(tasks[i], fmt::format("is in a dependency cycle (among {})", cycle));
    }
  }
  if (!check.problems.empty()) return check;
  std::vector<size_t> position(tasks.size());
  for (size_t k = 0; k < order.size(); ++k) position[order[k]] = k;
  for (size_t i : order) {
    DagTask task{tasks[i], *crons[i], {}};
    for (size_t u : upstream[i]) task.upstream.push_back(position[u]);
    dag.tasks.push_back(std::move(task));
  }
  check.dag = std::move(dag);
  return check;
}

namespace {

std::string filled(std::string_view run, std::string_view start_text, std::string_view end_text) {
  std::string out;
  for (size_t i = 0; i < run.size();) {
    if (run.substr(i).starts_with(kStart)) {
      out += start_text;
      i += kStart.size();
    } else if (run.substr(i).starts_with(kEnd)) {
      out += end_text;
      i += kEnd.size();
    } else {
      out += run[i++];
    }
  }
  return out;
}

}  // namespace

std::string command_for(const core::TaskConfig& task, core::Timestamp interval_start, core::Timestamp interval_end) {
  return filled(task.run, interval_start.iso(), interval_end.iso());
}

std::vector<std::string> command_words(const core::TaskConfig& task, core::Timestamp interval_start, core::Timestamp interval_end) {
  return command_words(task, interval_start.iso(), interval_end.iso());
}

std::vector<std::string> command_words(const core::TaskConfig& task, std::string_view start_text, std::string_view end_text) {
  // Placeholders are filled within each word, after splitting: a filled-in text never splits a word.
  const std::string line = task.run;
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (const char c : line) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      else word += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  for (std::string& w : words) w = filled(w, start_text, end_text);
  return words;
}

std::string dag_json(const Dag& dag, const core::ScheduleConfig& config) {
  std::string out = "{\"tasks\":[";
  for (size_t i = 0; i < dag.tasks.size(); ++i) {
    const core::TaskConfig& t = dag.tasks[i].config;
    std::string deps;
    for (const auto& d : t.depends_on) deps += (deps.empty() ? "" : ",") + core::json_string(d);
    out += fmt::format("{}{{\"name\":{},\"run\":{},\"cron\":{},\"depends_on\":[{}],\"retries\":{},\"retry_delay_seconds\":{},"
                       "\"timeout_seconds\":{},\"catch_up\":{}}}",
                       i ? "," : "", core::json_string(t.name), core::json_string(t.run), core::json_string(dag.tasks[i].cron.text()), deps,
                       t.retries, t.retry_delay_seconds, t.timeout_seconds, t.catch_up ? "true" : "false");
  }
  out += fmt::format("],\"max_catch_up\":{},\"concurrency\":{},\"default\":{}}}", config.max_catch_up, config.concurrency,
                     dag.is_default ? "true" : "false");
  return out;
}

}  // namespace cryptolake::schedule
