#include "schedule/run_history.hpp"

#include <unistd.h>

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

std::string new_run_id(core::Timestamp now) {
  const std::string iso = now.iso();
  return fmt::format("run-{}{}{}T{}{}{}-{}", iso.substr(0, 4), iso.substr(5, 2), iso.substr(8, 2), iso.substr(11, 2),
                     iso.substr(14, 2), iso.substr(17, 2), ::getpid());
}

}  // namespace cryptolake::schedule
