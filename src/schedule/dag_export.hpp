// The DAG written out for the schedulers people already run: an Airflow 2.x DAG file, systemd
// units (a service for `schedule run`, and a service + timer per task), a crontab. Each calls
// the cryptolake CLI, so the tasks do the same work whoever starts them.
#pragma once

#include <string>
#include <vector>

#include "core/config.hpp"
#include "schedule/dag.hpp"

namespace cryptolake::schedule {

struct ExportCommand {
  std::string binary;                     // the cryptolake the exported schedule calls
  std::vector<std::string> global_flags;  // e.g. --lake /srv/lake --config /etc/cryptolake.toml
};

struct ExportedFile {
  std::string name;  // a file name (systemd: the unit's)
  std::string text;
};

// One DAG per cron expression (Airflow gives a DAG one schedule); a dependency between tasks of
// different crons cannot be kept and is an error. `now` dates the DAGs' start_date.
[[nodiscard]] core::Result<std::vector<ExportedFile>> export_airflow(const Dag& dag, const core::ScheduleConfig& config,
                                                                     const ExportCommand& command, core::Timestamp now);
// cryptolake-scheduler.service, and per task cryptolake-<task>.service + .timer (OnCalendar, UTC).
[[nodiscard]] core::Result<std::vector<ExportedFile>> export_systemd(const Dag& dag, const ExportCommand& command);
// A crontab (CRON_TZ=UTC): a line per task.
[[nodiscard]] core::Result<std::vector<ExportedFile>> export_cron(const Dag& dag, const ExportCommand& command);

// systemd's OnCalendar= spelling of a cron expression (two when both day fields are restricted).
std::vector<std::string> on_calendar(const CronSchedule& cron);
// A word as the shell reads it back: quoted when it holds anything but [A-Za-z0-9_@%+=:,./-].
std::string shell_word(std::string_view word);

}  // namespace cryptolake::schedule
