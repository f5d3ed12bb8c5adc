#include "schedule/run_history.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <map>

#include <fmt/format.h>

#include "core/decimal.hpp"
#include "lake/layout.hpp"

namespace cryptolake::schedule {

namespace {

std::vector<std::vector<std::string>> tsv_lines(const std::string& text, size_t fields) {
  std::vector<std::vector<std::string>> lines;
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    std::vector<std::string> f;
    for (size_t start = 0; start <= line.size();) {
      const size_t tab = std::min(line.find('\t', start), line.size());
      f.emplace_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    if (f.size() == fields) lines.push_back(std::move(f));
  }
  return lines;
}

double number(const std::string& text) { return core::parse_decimal(text).value_or(0); }

core::Timestamp from_seconds(const std::string& text) {
  return core::Timestamp::from_micros(static_cast<int64_t>(number(text)) * core::Timestamp::kMicrosPerSecond);
}

core::Status append(lake::ObjectStore& store, std::string_view key, const std::string& line) {
  std::string text = store.get(key).value_or("");
  text += line;
  return store.put(key, text);
}

}  // namespace

core::Status RunHistory::record(const StageRun& run) { return record(std::span<const StageRun>(&run, 1)); }

core::Status RunHistory::record(std::span<const StageRun> runs) {
  std::string lines;
  for (const StageRun& run : runs) {
    lines += fmt::format("{}\t{}\t{}\t{:.6f}\t{}\t{}\n", run.run_id, run.stage, run.finished_at.micros() / core::Timestamp::kMicrosPerSecond,
                         run.seconds, run.rows, run.quarantined);
  }
  return append(store_, lake::layout::kStageRunsKey, lines);
}

core::Status RunHistory::record(const RateLimitWaits& waits) {
  return append(store_, lake::layout::kRateLimitsKey,
                fmt::format("{}\t{}\t{:.6f}\t{}\n", waits.service, waits.waits, waits.waited_seconds,
                            waits.at.micros() / core::Timestamp::kMicrosPerSecond));
}

std::vector<StageRun> RunHistory::stage_runs() const {
  std::vector<StageRun> runs;
  for (auto& f : tsv_lines(store_.get(lake::layout::kStageRunsKey).value_or(""), 6)) {
    runs.push_back({std::move(f[0]), std::move(f[1]), from_seconds(f[2]), number(f[3]), static_cast<size_t>(number(f[4])),
                    static_cast<size_t>(number(f[5]))});
  }
  return runs;
}

std::vector<RateLimitWaits> RunHistory::rate_limit_waits() const {
  std::vector<RateLimitWaits> waits;
  for (auto& f : tsv_lines(store_.get(lake::layout::kRateLimitsKey).value_or(""), 4)) {
    waits.push_back({std::move(f[0]), static_cast<size_t>(number(f[1])), number(f[2]), from_seconds(f[3])});
  }
  return waits;
}

namespace {

constexpr std::array<std::string_view, 7> kStateNames = {"queued", "running", "success", "failed", "retrying", "skipped", "abandoned"};

std::string optional_micros(const std::optional<core::Timestamp>& t) { return t ? std::to_string(t->micros()) : std::string(); }
std::string optional_count(const std::optional<int64_t>& n) { return n ? std::to_string(*n) : std::string(); }
std::optional<core::Timestamp> read_micros(const std::string& text) {
  const auto n = core::parse_int(text);
  return n ? std::optional(core::Timestamp::from_micros(*n)) : std::nullopt;
}

}  // namespace

std::string_view state_name(TaskState state) { return kStateNames[static_cast<size_t>(state)]; }

std::optional<TaskState> parse_state(std::string_view name) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == name) return static_cast<TaskState>(i);
  }
  return std::nullopt;
}

bool is_final(TaskState state) { return state == TaskState::success || state == TaskState::failed || state == TaskState::skipped; }

core::Status RunHistory::record(const TaskRun& run) {
  // The error is one line of text in a tab-separated file: no tabs or line breaks, bounded.
  std::string error = run.error.substr(0, 500);
  for (char& c : error) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return append(store_, lake::layout::task_runs_key(run.interval_start.date()),
                fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", run.run_id, run.task, run.interval_start.micros(),
                            run.interval_end.micros(), state_name(run.state), run.attempt, optional_micros(run.started_at),
                            optional_micros(run.ended_at), optional_count(run.rows_in), optional_count(run.rows_out), error));
}

std::vector<TaskRun> RunHistory::task_runs(std::optional<core::Timestamp> since) const {
  std::map<std::pair<std::string, int>, TaskRun> newest;  // by (run_id, attempt): later lines win
  const auto keys = store_.list(lake::layout::kTaskRunsPrefix);
  const std::string first_key = since ? lake::layout::task_runs_key(since->date()) : std::string();
  for (const std::string& key : keys.value_or(std::vector<std::string>{})) {
    if (key < first_key) continue;
    for (auto& f : tsv_lines(store_.get(key).value_or(""), 11)) {
      const auto start = read_micros(f[2]), end = read_micros(f[3]);
      const auto state = parse_state(f[4]);
      const auto attempt = core::parse_int(f[5]);
      if (!start || !end || !state || !attempt) continue;
      if (since && *start < *since) continue;
      TaskRun run{f[0], f[1], *start, *end, *state, static_cast<int>(*attempt), read_micros(f[6]), read_micros(f[7]),
                  core::parse_int(f[8]), core::parse_int(f[9]), std::move(f[10])};
      const std::pair<std::string, int> id{run.run_id, run.attempt};
      newest.insert_or_assign(id, std::move(run));
    }
  }
  std::vector<TaskRun> runs;
  for (auto& [id, run] : newest) runs.push_back(std::move(run));
  std::ranges::sort(runs, [](const TaskRun& a, const TaskRun& b) {
    return std::tie(a.interval_start, a.task, a.attempt) < std::tie(b.interval_start, b.task, b.attempt);
  });
  return runs;
}

std::string new_run_id(core::Timestamp now) {
  const std::string iso = now.iso();
  return fmt::format("run-{}{}{}T{}{}{}-{}", iso.substr(0, 4), iso.substr(5, 2), iso.substr(8, 2), iso.substr(11, 2),
                     iso.substr(14, 2), iso.substr(17, 2), ::getpid());
}

}  // namespace cryptolake::schedule
