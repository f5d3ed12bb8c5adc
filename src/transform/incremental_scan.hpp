// Incremental raw → curated runs. A ledger of the raw objects a stage has consumed, each with the
// partition days it yielded rows for, lets a run read only what is new: the raw objects not
// consumed yet, then the consumed ones that yielded rows for the days the new ones touch (a day
// is rebuilt from every object that has rows for it, so the result equals a full rebuild).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "transform/raw_scan.hpp"

namespace cryptolake::transform {

// Days since the epoch each scanned object yielded rows for.
using DaysByObject = std::map<std::string, std::set<int64_t>>;
// Scans the given objects (adding their rows to the caller's) and says which days each yielded.
using ScanObjects = std::function<core::Result<DaysByObject>(const std::vector<RawObject>& objects)>;

// Supplies the rows an earlier complete run built for `days`, from the stage's own output, in place
// of rescanning every consumed raw object with rows for those days; false, having added nothing,
// when it cannot (they are rescanned then).
using LoadBuiltDays = std::function<core::Result<bool>(const std::set<int64_t>& days)>;

struct IncrementalScan {
  std::optional<std::set<int64_t>> days;  // the days to rebuild from the rows scanned; nothing: every day
  std::string ledger;                     // what is consumed after this run, for the next
};

// `consumed`: the ledger of the last complete run, or nothing for a full run. A consumed object
// that is gone or changed makes it a full run too. With `built`, the days new objects share with
// consumed ones come from the stage's output where it can give them: the work then grows with the
// new data, not with everything already landed for those days.
[[nodiscard]] core::Result<IncrementalScan> scan_incrementally(const std::vector<RawObject>& objects,
                                                               const std::optional<std::string>& consumed, const ScanObjects& scan,
                                                               const LoadBuiltDays& built = {});

}  // namespace cryptolake::transform
