#include "transform/incremental_scan.hpp"

#include <sstream>

#include <fmt/format.h>

#include "core/decimal.hpp"

namespace cryptolake::transform {

namespace {

struct Consumed {
  std::string version;
  std::set<int64_t> days;
};
using Ledger = std::map<std::string, Consumed>;  // key → what it was and yielded

// One line per object: key, version, days joined by ','.
std::optional<Ledger> parse_ledger(const std::string& text) {
  Ledger ledger;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const size_t a = line.find('\t'), b = a == std::string::npos ? a : line.find('\t', a + 1);
    if (b == std::string::npos) return std::nullopt;
    Consumed& entry = ledger[line.substr(0, a)];
    entry.version = line.substr(a + 1, b - a - 1);
    std::istringstream days(line.substr(b + 1));
    for (std::string day; std::getline(days, day, ',');) {
      const auto number = core::parse_int(day);
      if (!number) return std::nullopt;
      entry.days.insert(*number);
    }
  }
  return ledger;
}

std::string ledger_text(const Ledger& ledger) {
  std::string text;
  for (const auto& [key, entry] : ledger) text += fmt::format("{}\t{}\t{}\n", key, entry.version, fmt::join(entry.days, ","));
  return text;
}

void record(Ledger& ledger, const std::vector<RawObject>& objects, DaysByObject& days) {
  for (const RawObject& object : objects) ledger[object.key] = {object.version, std::move(days[object.key])};
}

}  // namespace

core::Result<IncrementalScan> scan_incrementally(const std::vector<RawObject>& objects, const std::optional<std::string>& consumed,
                                                 const ScanObjects& scan, const LoadBuiltDays& built) {
  std::optional<Ledger> ledger = consumed ? parse_ledger(*consumed) : std::nullopt;
  std::map<std::string, const RawObject*> now;
  for (const RawObject& object : objects) now[object.key] = &object;
  if (ledger) {
    for (const auto& [key, entry] : *ledger) {
      const auto it = now.find(key);
      if (it == now.end() || it->second->version != entry.version) {
        ledger.reset();  // an object it consumed is gone or changed: rebuild
        break;
      }
    }
  }
  if (!ledger) {
    TRY_ASSIGN(DaysByObject days, scan(objects));
    Ledger full;
    record(full, objects, days);
    return IncrementalScan{std::nullopt, ledger_text(full)};
  }
  std::vector<RawObject> fresh;
  for (const RawObject& object : objects) {
    if (!ledger->contains(object.key)) fresh.push_back(object);
  }
  TRY_ASSIGN(DaysByObject fresh_days, scan(fresh));
  std::set<int64_t> touched;
  for (const auto& [key, days] : fresh_days) touched.insert(days.begin(), days.end());
  std::vector<RawObject> neighbours;  // consumed objects with rows for a touched day
  std::set<int64_t> shared;           // those days
  for (const auto& [key, entry] : *ledger) {
    bool neighbour = false;
    for (const int64_t day : entry.days) {
      if (touched.contains(day)) {
        shared.insert(day);
        neighbour = true;
      }
    }
    if (neighbour) neighbours.push_back(*now.at(key));
  }
  if (!neighbours.empty()) {
    bool loaded = false;
    if (built) {
      TRY_ASSIGN(loaded, built(shared));
    }
    if (!loaded) TRY(scan(neighbours));
  }
  record(*ledger, fresh, fresh_days);
  return IncrementalScan{std::move(touched), ledger_text(*ledger)};
}

}  // namespace cryptolake::transform
