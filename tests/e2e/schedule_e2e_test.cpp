// The scheduler as a user runs it: `schedule validate` (problems with their file and line), the
// default DAG run once on a fresh lake, a stop and a SIGKILL mid-task, a second scheduler, and the
// Airflow export checked by Python against `schedule validate --json`.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <simdjson.h>

#include "support/post_recorder.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::testing {
namespace {

TEST(ScheduleValidate, ProblemsNameTheirLineAndAValidDagIsJson) {
  TempDir dir;
  const auto bad = dir.path() / "bad.toml";
  std::ofstream(bad) << "[schedule]\nmax_catch_up = 5\n\n[[schedule.tasks]]\nname = \"etl\"\nrun = \"etl\"\ncron = \"0 * * * *\"\n"
                        "depends_on = [\"ingest\"]\n";
  const ProcessResult refused = run_cryptolake({"--config", bad.string(), "schedule", "validate"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find(bad.string() + ":4: task 'etl': depends on 'ingest', which is not a task"), std::string::npos) << refused.err;

  const auto good = dir.path() / "good.toml";
  std::ofstream(good) << "[[schedule.tasks]]\nname = \"ingest\"\nrun = \"stream run --source simulator --from {interval_start} --to {interval_end}\"\n"
                         "cron = \"@hourly\"\n[[schedule.tasks]]\nname = \"etl\"\nrun = \"etl\"\ncron = \"0 * * * *\"\ndepends_on = [\"ingest\"]\n";
  const ProcessResult ok = run_cryptolake({"--config", good.string(), "--json", "schedule", "validate"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out.find("{\"tasks\":[{\"name\":\"ingest\","), 0u) << ok.out;
  EXPECT_NE(ok.out.find("{\"name\":\"etl\",\"run\":\"etl\",\"cron\":\"0 * * * *\",\"depends_on\":[\"ingest\"]"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("\"default\":false}"), std::string::npos) << ok.out;
}

// The lines of `runs --format csv` (header first).
std::vector<std::string> csv_lines(const std::string& lake, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--lake", lake, "runs", "--format", "csv"};
  args.insert(args.end(), more.begin(), more.end());
  const ProcessResult r = run_cryptolake(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Waits (up to 60 s) until the lake's history shows a task running.
bool wait_until_running(const std::string& lake) {
  for (int i = 0; i < 600; ++i) {
    if (csv_lines(lake, {"--state", "running"}).size() > 1) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// The scheduler's runs are planned at a fixed instant (--as-of), never the hour the test runs at: a
// run that straddled a whole hour would otherwise find the next interval due.
constexpr const char* kPlannedAt = "2026-03-01T10:30:00Z";

TEST(ScheduleRun, TheDefaultDagRunsOnceOnAFreshLake) {
  TempDir dir;
  const std::string lake = (dir.path() / "lake").string();
  const ProcessResult run = run_cryptolake({"--lake", lake, "schedule", "run", "--once", "--as-of", kPlannedAt});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("schedule run --once: 4 succeeded, 0 failed, 0 skipped, 0 abandoned"), std::string::npos) << run.err;

  const auto lines = csv_lines(lake);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "run_id,task,interval_start,interval_end,state,attempt,started_at,ended_at,rows_in,rows_out,error");
  for (const std::string task : {"ingest", "etl", "quality", "catalog"}) {
    const auto row = std::ranges::find_if(lines, [&](const std::string& l) { return l.starts_with(task + "-"); });
    ASSERT_NE(row, lines.end()) << task;
    EXPECT_NE(row->find(",success,1,"), std::string::npos) << *row;
    EXPECT_NE(row->find(",2026-03-01T09:00:00.000000Z,2026-03-01T10:00:00.000000Z,"), std::string::npos) << *row;
  }
  // The hour ingested is the hour the runs name: 60 closed candles for each of the 8 symbols.
  const ProcessResult candles = run_cryptolake(
      {"--lake", lake, "sql", "--format", "csv",
       "SELECT count(*), count(DISTINCT (symbol, open_time)), min(open_time) = (SELECT min(interval_start) FROM runs), "
       "max(open_time) + INTERVAL 1 MINUTE = (SELECT max(interval_end) FROM runs), (SELECT sum(rows_out) FROM runs WHERE task = 'ingest') "
       "FROM market_ohlcv"});
  ASSERT_EQ(candles.exit_code, 0) << candles.err;
  EXPECT_NE(candles.out.find("\n480,480,true,true,960\n"), std::string::npos) << candles.out;

  const ProcessResult again = run_cryptolake({"--lake", lake, "schedule", "run", "--once", "--as-of", kPlannedAt});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.err.find("nothing is due"), std::string::npos) << again.err;
  // A moment still to come has nothing that ended by then.
  const ProcessResult future = run_cryptolake({"--lake", lake, "schedule", "run", "--once", "--as-of", "2999-01-01T00:00:00Z"});
  EXPECT_EQ(future.exit_code, 1);
  EXPECT_NE(future.err.find("--as-of 2999-01-01T00:00:00.000000Z is later than now"), std::string::npos) << future.err;
}

TEST(ScheduleRun, AStopOrAKillMidTaskIsRunAgainAndLandsEachCandleOnce) {
  TempDir dir;
  const std::string lake = (dir.path() / "lake").string();
  const auto slow = dir.path() / "slow.toml", fast = dir.path() / "fast.toml";
  // One hourly task: an hour of the simulated market at 120× takes 30 s; at max, a moment.
  const auto write = [](const std::filesystem::path& path, std::string_view speed) {
    std::ofstream(path) << "[[schedule.tasks]]\nname = \"ingest\"\ncron = \"0 * * * *\"\nretries = 0\n"
                        << "run = \"stream run --source simulator --symbols 2 --from {interval_start} --to {interval_end} --speed " << speed
                        << " --exit-when-idle 1\"\n";
  };
  write(slow, "120");
  write(fast, "max");

  // A second scheduler on the lake exits at once, naming the first; SIGTERM stops the first cleanly.
  int first = spawn_cryptolake({"--lake", lake, "--config", slow.string(), "schedule", "run", "--once", "--as-of", kPlannedAt});
  ASSERT_TRUE(wait_until_running(lake));
  const ProcessResult second = run_cryptolake({"--lake", lake, "--config", slow.string(), "schedule", "run", "--once", "--as-of", kPlannedAt});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("another scheduler runs this lake: pid " + std::to_string(first) + " (schedule run --once"), std::string::npos)
      << second.err;
  ::kill(first, SIGTERM);
  EXPECT_EQ(wait_child(first), 0);
  auto lines = csv_lines(lake);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find(",abandoned,1,"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("the scheduler was stopped (SIGTERM) before this run finished"), std::string::npos) << lines[1];

  // SIGKILL: nothing more is recorded; the next start marks the attempt abandoned and runs it again.
  first = spawn_cryptolake({"--lake", lake, "--config", slow.string(), "schedule", "run", "--once", "--as-of", kPlannedAt});
  ASSERT_TRUE(wait_until_running(lake));
  ::kill(first, SIGKILL);
  EXPECT_EQ(wait_child(first), -SIGKILL);
  const ProcessResult restart = run_cryptolake({"--lake", lake, "--config", fast.string(), "schedule", "run", "--once", "--as-of", kPlannedAt});
  ASSERT_EQ(restart.exit_code, 0) << restart.err;
  EXPECT_NE(restart.err.find("1 run(s) a stopped scheduler left unfinished are marked abandoned"), std::string::npos) << restart.err;
  lines = csv_lines(lake);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[2].find(",abandoned,2,"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find("the scheduler stopped before this attempt finished"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find(",success,3,"), std::string::npos) << lines[3];
  // Whatever the stopped attempts landed, each candle of the hour is there once.
  const ProcessResult candles =
      run_cryptolake({"--lake", lake, "sql", "--format", "csv", "SELECT count(*), count(DISTINCT (symbol, open_time)) FROM market_ohlcv"});
  EXPECT_NE(candles.out.find("\n120,120\n"), std::string::npos) << candles.out << candles.err;
}

// A task that fails after its last retry is logged at error level and POSTed to the webhook, once.
TEST(ScheduleRun, AFinalFailureIsLoggedAndPostedToTheWebhook) {
  TempDir dir;
  PostRecorder receiver;
  const auto config = dir.path() / "cryptolake.toml";
  std::ofstream(config) << "[webhook]\nurl = \"" << receiver.url() << "\"\n"
                        << "[[schedule.tasks]]\nname = \"broken\"\nrun = \"sql 'SELECT 1 FROM nope'\"\ncron = \"0 * * * *\"\n"
                        << "retries = 1\nretry_delay_seconds = 0\n"
                        << "[[schedule.tasks]]\nname = \"after\"\nrun = \"catalog list\"\ncron = \"0 * * * *\"\ndepends_on = [\"broken\"]\n";
  const ProcessResult run = run_cryptolake({"--config", config.string(), "--lake", (dir.path() / "lake").string(), "backfill", "--from",
                                            "2026-01-01T00:00:00Z", "--to", "2026-01-01T01:00:00Z"});
  const std::vector<std::string> posts = receiver.stop();
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("backfill: 0 succeeded, 1 failed, 1 skipped, 0 abandoned"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("task broken [2026-01-01T00:00:00.000000Z .. 2026-01-01T01:00:00.000000Z) failed after 2 attempt(s): exit 1: error:"),
            std::string::npos)
      << run.err;
  ASSERT_EQ(posts.size(), 1u);
  simdjson::dom::parser parser;
  const simdjson::dom::element failure = parser.parse(posts[0])["task_failure"];
  EXPECT_EQ(std::string_view(failure["task"]), "broken");
  EXPECT_EQ(std::string_view(failure["run_id"]), "broken-20260101T0000");
  EXPECT_EQ(std::string_view(failure["interval_start"]), "2026-01-01T00:00:00.000000Z");
  EXPECT_EQ(int64_t(failure["attempt"]), 2);
  EXPECT_NE(std::string_view(failure["error"]).find("nope"), std::string_view::npos);
}

TEST(ScheduleExport, TheAirflowDagMatchesValidateJson) {
  TempDir dir;
  const auto config = dir.path() / "cryptolake.toml";
  std::ofstream(config) << "[[schedule.tasks]]\nname = \"ingest-hourly\"\ncron = \"5 * * * *\"\nretries = 3\nretry_delay_seconds = 20\n"
                           "run = \"stream run --source simulator --from {interval_start} --to {interval_end} --speed max\"\n"
                           "[[schedule.tasks]]\nname = \"etl\"\nrun = \"etl\"\ncron = \"5 * * * *\"\ndepends_on = [\"ingest-hourly\"]\ntimeout_seconds = 120\n"
                           "[[schedule.tasks]]\nname = \"quality\"\nrun = \"quality\"\ncron = \"5 * * * *\"\ndepends_on = [\"etl\"]\n"
                           "[[schedule.tasks]]\nname = \"daily\"\nrun = \"sql 'SELECT 1'\"\ncron = \"0 3 * * *\"\ncatch_up = false\n";
  const std::string lake = (dir.path() / "lake").string();
  const auto dag_file = dir.path() / "dags" / "cryptolake.py";
  const ProcessResult exported = run_cryptolake({"--config", config.string(), "--lake", lake, "schedule", "export", "airflow", "--out", dag_file.string()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const ProcessResult json = run_cryptolake({"--config", config.string(), "--json", "schedule", "validate"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  std::ofstream(dir.path() / "validate.json") << json.out;
  // Python reads the DAG file as Airflow would (without Airflow: its syntax tree) and compares.
  std::ofstream(dir.path() / "check.py") << R"PY(
import ast, json, shlex, sys
tree = ast.parse(open(sys.argv[1]).read())
want = json.load(open(sys.argv[2]))
lake = sys.argv[3]
def value(node):
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "timedelta":
        return value(node.keywords[0].value)
    return ast.literal_eval(node)
dags, tasks, edges, names = {}, {}, set(), {}
for w in [n for n in ast.walk(tree) if isinstance(n, ast.With)]:
    call = w.items[0].context_expr
    kw = {k.arg: k.value for k in call.keywords}
    timetable = kw["schedule"]
    assert timetable.func.id == "CronDataIntervalTimetable" and value(timetable.keywords[0].value) == "UTC", ast.dump(timetable)
    dag = {"schedule": value(timetable.args[0]), "catchup": value(kw["catchup"]), "max_active_runs": value(kw["max_active_runs"])}
    for stmt in w.body:
        if isinstance(stmt, ast.Assign):
            op = {k.arg: value(k.value) for k in stmt.value.keywords}
            op["dag"] = dag
            tasks[op["task_id"]] = op
            names[stmt.targets[0].id] = op["task_id"]
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.BinOp):
            edges.add((names[stmt.value.left.id], names[stmt.value.right.id]))
assert set(tasks) == {t["name"] for t in want["tasks"]}, (set(tasks), want)
want_edges = {(d, t["name"]) for t in want["tasks"] for d in t["depends_on"]}
assert edges == want_edges, (edges, want_edges)
for t in want["tasks"]:
    op = tasks[t["name"]]
    assert op["dag"]["schedule"] == t["cron"], op
    assert op["dag"]["max_active_runs"] == 1
    assert op["retries"] == t["retries"] and op["retry_delay"] == t["retry_delay_seconds"], op
    assert op["execution_timeout"] == t["timeout_seconds"] and op["retry_exponential_backoff"] is True, op
    words = shlex.split(op["bash_command"])
    assert words[1:5] == ["--lake", lake, "--config", sys.argv[4]], words
    run = [w.replace("{interval_start}", "{{ data_interval_start }}").replace("{interval_end}", "{{ data_interval_end }}")
           for w in shlex.split(t["run"])]
    assert words[5:] == run, (words, run)
assert tasks["daily"]["dag"]["catchup"] is False and tasks["etl"]["dag"]["catchup"] is True
print("ok", len(tasks), "tasks", len(edges), "edges")
)PY";
  const std::string command = "python3 " + (dir.path() / "check.py").string() + " " + dag_file.string() + " " +
                              (dir.path() / "validate.json").string() + " " + std::filesystem::absolute(lake).string() + " " +
                              std::filesystem::absolute(config).string() + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string said;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) said += buffer;
  EXPECT_EQ(::pclose(pipe), 0) << said;
  EXPECT_EQ(said, "ok 4 tasks 2 edges\n");
}

}  // namespace
}  // namespace cryptolake::testing
