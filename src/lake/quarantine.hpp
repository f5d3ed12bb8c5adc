// The quarantine zone: records that failed parsing or schema checks, each with its reason and
// where it came from, so nothing is dropped silently.
//   quarantine/<source>/<dataset>/dt=YYYY-MM-DD/stage=<stage>/<raw batch name>.ndjson.zst
// Keyed by the stage that rejected the records: two stages reading one batch (market_ticks and
// dim_coin both read CoinCap assets) never overwrite each other's evidence.
#pragma once

#include <string>
#include <vector>

#include "lake/object_store.hpp"

namespace cryptolake::lake {

struct QuarantineRecord {
  std::string reason;      // one line, for people: "kline[3]: high 9.5 below low 10"
  std::string raw_batch;   // key of the raw batch it came from
  int64_t line = 0;        // 1-based line in that batch
  std::string record;      // the offending text, verbatim
};

// Writes what `stage` rejected from one raw batch as one object named after it, replacing the
// stage's earlier one, so re-running a transform is idempotent. An empty list writes nothing and
// removes nothing: quarantine is evidence, and only a stage that rejects records writes it.
[[nodiscard]] core::Status write_quarantine(ObjectStore& store, std::string_view stage, std::string_view source,
                                            std::string_view dataset, std::string_view raw_batch_key,
                                            const std::vector<QuarantineRecord>& records);

std::string quarantine_key(std::string_view stage, std::string_view source, std::string_view dataset,
                           std::string_view raw_batch_key);

}  // namespace cryptolake::lake
