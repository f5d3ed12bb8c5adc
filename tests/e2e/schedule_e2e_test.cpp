// `cryptolake schedule validate` as a user runs it: problems with the file and line of their
// task and exit 1; a valid DAG as JSON for tools.
#include <gtest/gtest.h>

#include <fstream>

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

}  // namespace
}  // namespace cryptolake::testing
