// What writing one table did (records read, rows written, duplicates, quarantined, partitions):
// every stage reports it, the run summary and the run history show it.
#pragma once

#include <cstddef>
#include <string>

namespace cryptolake::lake {

struct WriteStats {
  std::string table;
  size_t batches = 0;
  size_t bytes = 0;        // decompressed raw NDJSON read
  size_t records_in = 0;   // parsed records, duplicates included
  size_t rows_out = 0;     // rows in the curated table
  size_t duplicates = 0;   // records replaced by a later-received copy
  size_t quarantined = 0;  // records and lines sent to quarantine
  size_t skipped = 0;      // valid but not yet final (a candle still open when received)
  size_t unchanged = 0;    // partitions not rewritten: their inputs did not change
  size_t partitions = 0;
  bool reused = false;     // the stage did not run: its inputs had not changed since it last did
};

}  // namespace cryptolake::lake
