// The exports spell the same schedule for Airflow, systemd and cron.
#include "schedule/dag_export.hpp"

#include <gtest/gtest.h>

namespace cryptolake::schedule {
namespace {

CronSchedule cron(std::string_view text) { return *CronSchedule::parse(text); }

Dag dag_of(std::string_view toml) {
  auto config = core::Config::parse(toml, "s.toml");
  EXPECT_TRUE(config) << config.error().message;
  const DagCheck check = check_dag(config->schedule, {"etl", "quality", "stream"});
  EXPECT_TRUE(check.dag);
  return check.dag.value_or(Dag{});
}

TEST(DagExport, OnCalendarSpellsEachCronField) {
  EXPECT_EQ(on_calendar(cron("0 * * * *")), std::vector<std::string>{"*-*-* *:00:00 UTC"});
  EXPECT_EQ(on_calendar(cron("*/15 6-8 * * *")), std::vector<std::string>{"*-*-* 06,07,08:00,15,30,45:00 UTC"});
  EXPECT_EQ(on_calendar(cron("30 2 1 */3 *")), std::vector<std::string>{"*-01,04,07,10-01 02:30:00 UTC"});
  EXPECT_EQ(on_calendar(cron("0 9 * * mon-fri")), std::vector<std::string>{"Mon,Tue,Wed,Thu,Fri *-*-* 09:00:00 UTC"});
  // Both day fields restricted: either matches (Vixie), so two calendars.
  EXPECT_EQ(on_calendar(cron("0 0 1,15 * 0")), (std::vector<std::string>{"*-*-01,15 00:00:00 UTC", "Sun *-*-* 00:00:00 UTC"}));
}

TEST(DagExport, ShellWordsQuoteOnlyWhatNeedsIt) {
  EXPECT_EQ(shell_word("/usr/bin/cryptolake"), "/usr/bin/cryptolake");
  EXPECT_EQ(shell_word("--from=2024-01-01T00:00:00Z"), "--from=2024-01-01T00:00:00Z");
  EXPECT_EQ(shell_word("{{ data_interval_start }}"), "'{{ data_interval_start }}'");
  EXPECT_EQ(shell_word("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_word(""), "''");
}

constexpr std::string_view kToml =
    "[[schedule.tasks]]\nname = \"ingest-1m\"\nrun = \"stream run --source simulator --from {interval_start} --to {interval_end}\"\n"
    "cron = \"0 * * * *\"\nretries = 4\nretry_delay_seconds = 30\ntimeout_seconds = 900\n"
    "[[schedule.tasks]]\nname = \"etl\"\nrun = \"etl\"\ncron = \"0 * * * *\"\ndepends_on = [\"ingest-1m\"]\ncatch_up = false\n"
    "[[schedule.tasks]]\nname = \"quality\"\nrun = \"quality\"\ncron = \"0 * * * *\"\ndepends_on = [\"etl\"]\n";

TEST(DagExport, AirflowGetsTheTasksEdgesAndTemplates) {
  const ExportCommand how{"/opt/cryptolake", {"--lake", "/srv/lake"}};
  const auto files = export_airflow(dag_of(kToml), {}, how, *core::Timestamp::parse_iso("2026-12-03T10:20:00Z"));
  ASSERT_TRUE(files) << files.error().message;
  ASSERT_EQ(files->size(), 1u);
  const std::string& py = (*files)[0].text;
  EXPECT_NE(py.find("start_date=datetime(2026, 12, 3, tzinfo=timezone.utc)"), std::string::npos) << py;
  EXPECT_NE(py.find("schedule=CronDataIntervalTimetable(\"0 * * * *\", timezone=\"UTC\")"), std::string::npos);
  EXPECT_NE(py.find("catchup=False"), std::string::npos);  // one task does not catch up
  EXPECT_NE(py.find("max_active_runs=1"), std::string::npos);
  EXPECT_NE(py.find("t_ingest_1m = BashOperator(\n        task_id=\"ingest-1m\",\n        bash_command=\"/opt/cryptolake --lake /srv/lake stream run "
                    "--source simulator --from '{{ data_interval_start }}' --to '{{ data_interval_end }}'\",\n        retries=4,\n"
                    "        retry_delay=timedelta(seconds=30),\n        retry_exponential_backoff=True,\n        execution_timeout=timedelta(seconds=900),"),
            std::string::npos)
      << py;
  EXPECT_NE(py.find("    t_ingest_1m >> t_etl\n    t_etl >> t_quality\n"), std::string::npos) << py;
}

TEST(DagExport, AirflowRefusesADependencyAcrossCrons) {
  const auto files = export_airflow(dag_of("[[schedule.tasks]]\nname = \"a\"\nrun = \"etl\"\ncron = \"0 * * * *\"\n"
                                           "[[schedule.tasks]]\nname = \"b\"\nrun = \"quality\"\ncron = \"0 0 * * *\"\ndepends_on = [\"a\"]\n"),
                                    {}, {"cryptolake", {}}, core::Timestamp::from_micros(0));
  ASSERT_FALSE(files);
  EXPECT_NE(files.error().message.find("task 'b' (cron \"0 0 * * *\") depends on 'a' (cron \"0 * * * *\")"), std::string::npos);
}

TEST(DagExport, SystemdAndCronRunEachTaskAfterItsUpstreamTasks) {
  const ExportCommand how{"/opt/cryptolake", {"--lake", "/srv/lake"}};
  const auto units = export_systemd(dag_of(kToml), how);
  ASSERT_TRUE(units);
  ASSERT_EQ(units->size(), 7u);  // the scheduler service, and a service + timer per task
  EXPECT_EQ((*units)[0].name, "cryptolake-scheduler.service");
  EXPECT_NE((*units)[0].text.find("ExecStart=/opt/cryptolake --lake /srv/lake schedule run\n"), std::string::npos);
  EXPECT_EQ((*units)[5].name, "cryptolake-quality.service");
  EXPECT_NE((*units)[5].text.find("ExecStart=/opt/cryptolake --lake /srv/lake schedule run --once --wait --tasks ingest-1m,etl,quality\n"),
            std::string::npos)
      << (*units)[5].text;
  EXPECT_EQ((*units)[6].name, "cryptolake-quality.timer");
  EXPECT_NE((*units)[6].text.find("OnCalendar=*-*-* *:00:00 UTC\nPersistent=true\nUnit=cryptolake-quality.service\n"), std::string::npos);

  const auto tab = export_cron(dag_of(kToml), how);
  ASSERT_TRUE(tab);
  EXPECT_NE((*tab)[0].text.find("CRON_TZ=UTC\n0 * * * * /opt/cryptolake --lake /srv/lake schedule run --once --wait --tasks ingest-1m\n"
                                "0 * * * * /opt/cryptolake --lake /srv/lake schedule run --once --wait --tasks ingest-1m,etl\n"),
            std::string::npos)
      << (*tab)[0].text;
}

}  // namespace
}  // namespace cryptolake::schedule
