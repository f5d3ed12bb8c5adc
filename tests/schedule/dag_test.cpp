#include "schedule/dag.hpp"

#include <gtest/gtest.h>

#include <simdjson.h>

namespace cryptolake::schedule {
namespace {

const std::set<std::string, std::less<>> kCommands = {"etl", "quality", "catalog", "stream", "ingest"};

core::ScheduleConfig parse(std::string_view toml) {
  auto config = core::Config::parse(toml, "s.toml");
  EXPECT_TRUE(config) << config.error().message;
  return config ? config->schedule : core::ScheduleConfig{};
}

std::vector<std::string> problems(const DagCheck& check) {
  std::vector<std::string> out;
  for (const auto& p : check.problems) out.push_back(fmt::format("{}:{}: {}", p.line, p.task, p.message));
  return out;
}

TEST(Dag, TasksComeAfterWhatTheyDependOn) {
  const auto config = parse(
      "[[schedule.tasks]]\nname = \"quality\"\nrun = \"quality\"\ncron = \"0 * * * *\"\ndepends_on = [\"etl\"]\n"
      "[[schedule.tasks]]\nname = \"etl\"\nrun = \"etl\"\ncron = \"0 * * * *\"\ndepends_on = [\"ingest\"]\nretries = 5\n"
      "[[schedule.tasks]]\nname = \"ingest\"\nrun = \"ingest binance --from {interval_start} --to {interval_end}\"\ncron = \"@hourly\"\ncatch_up = false\n");
  const DagCheck check = check_dag(config, kCommands);
  ASSERT_TRUE(check.dag) << ::testing::PrintToString(problems(check));
  ASSERT_EQ(check.dag->tasks.size(), 3u);
  EXPECT_EQ(check.dag->tasks[0].config.name, "ingest");
  EXPECT_EQ(check.dag->tasks[1].config.name, "etl");
  EXPECT_EQ(check.dag->tasks[2].config.name, "quality");
  EXPECT_EQ(check.dag->tasks[1].upstream, std::vector<size_t>{0});
  EXPECT_EQ(check.dag->tasks[2].upstream, std::vector<size_t>{1});
  EXPECT_EQ(check.dag->tasks[1].config.retries, 5);
  EXPECT_FALSE(check.dag->tasks[0].config.catch_up);
  EXPECT_FALSE(check.dag->is_default);
  EXPECT_EQ(command_for(check.dag->tasks[0].config, *core::Timestamp::parse_iso("2024-01-01T10:00:00Z"), *core::Timestamp::parse_iso("2024-01-01T11:00:00Z")),
            "ingest binance --from 2024-01-01T10:00:00.000000Z --to 2024-01-01T11:00:00.000000Z");
  simdjson::dom::parser parser;
  const simdjson::dom::element json = parser.parse(dag_json(*check.dag, config));
  EXPECT_EQ(std::string_view(json["tasks"].at(1)["depends_on"].at(0)), "ingest");
  EXPECT_EQ(int64_t(json["tasks"].at(1)["retries"]), 5);
  EXPECT_EQ(std::string_view(json["tasks"].at(0)["cron"]), "@hourly");
}

TEST(Dag, EveryProblemIsNamedWithTheLineOfItsTask) {
  const auto config = parse(
      "[[schedule.tasks]]\nname = \"a\"\nrun = \"etl\"\ncron = \"0 * * * *\"\ndepends_on = [\"b\"]\n"        // line 1
      "[[schedule.tasks]]\nname = \"b\"\nrun = \"etl\"\ncron = \"0 * * * *\"\ndepends_on = [\"a\"]\n"        // line 6
      "[[schedule.tasks]]\nname = \"c\"\nrun = \"serve\"\ncron = \"61 * * * *\"\ndepends_on = [\"zz\"]\n"    // line 11
      "[[schedule.tasks]]\nname = \"c\"\nrun = \"etl; rm -rf /\"\ncron = \"@daily\"\n"                       // line 16
      "[[schedule.tasks]]\nname = \"d\"\nrun = \"etl --from {yesterday}\"\n");                             // line 20
  const DagCheck check = check_dag(config, kCommands);
  EXPECT_FALSE(check.dag);
  const auto found = problems(check);
  const auto has = [&](std::string_view text) {
    return std::ranges::any_of(found, [&](const std::string& p) { return p.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("11:c: run 'serve': 'serve' is not a command a task can run")) << ::testing::PrintToString(found);
  EXPECT_TRUE(has("11:c: cron: minute '61': expected 0-59"));
  EXPECT_TRUE(has("11:c: depends on 'zz', which is not a task"));
  EXPECT_TRUE(has("16:c: a second task named 'c'"));
  EXPECT_TRUE(has("16:c: run is one cryptolake command line"));
  EXPECT_TRUE(has("20:d: run 'etl --from {yesterday}': the only placeholders are"));
  EXPECT_TRUE(has("20:d: cron is missing"));
  EXPECT_TRUE(has("1:a: is in a dependency cycle (among a, b)"));
  EXPECT_TRUE(has("6:b: is in a dependency cycle (among a, b)"));
}

TEST(Dag, NoTasksMeansTheDefaultDag) {
  const DagCheck check = check_dag(core::ScheduleConfig{}, kCommands);
  ASSERT_TRUE(check.dag) << ::testing::PrintToString(problems(check));
  EXPECT_TRUE(check.dag->is_default);
  std::vector<std::string> names;
  for (const auto& t : check.dag->tasks) names.push_back(t.config.name);
  EXPECT_EQ(names, (std::vector<std::string>{"ingest", "etl", "quality", "catalog"}));
}

TEST(Dag, TheConfigRefusesUnknownTaskKeysNamingTheLine) {
  auto bad = core::Config::parse("[schedule]\nmax_catch_up = 3\n\n[[schedule.tasks]]\nname = \"a\"\nretires = 2\n", "s.toml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("s.toml:6: schedule.tasks: unknown or mistyped key 'retires'"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(core::Config::parse("[schedule]\nconcurrency = 0\n"));
}

}  // namespace
}  // namespace cryptolake::schedule
