// Landing data.binance.vision dumps in the raw zone, byte for byte:
//   raw/<source>/archive/dt=<first day of the file>/<SYMBOL>-<interval>-<period>.zip
// (a bare .csv is stored zstd-compressed as .csv.zst). The transform reads them from there.
#pragma once

#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "io/raw_sink.hpp"
#include "sources/binance/archive_parser.hpp"

namespace cryptolake::sources::binance {

// spot → "binance", USDⓈ-M futures → "binance_um", COIN-M futures → "binance_cm".
[[nodiscard]] core::Result<std::string> archive_source(std::string_view market);

struct ArchiveFile {
  std::string name;   // the file's own name, for messages and the name pattern
  std::string bytes;  // .zip or .csv contents
  std::optional<std::string> checksum;  // the .CHECKSUM file's text, when there is one
  std::optional<core::Symbol> symbol;   // overrides what the name says
  std::optional<std::string> interval;
  std::optional<std::string> period;    // YYYY-MM or YYYY-MM-DD when the name does not say
};

struct LandedArchive {
  std::string key;
  ArchiveName name;
  bool checksum_verified = false;
};

// Verifies the checksum when given, works out symbol/interval/period, and stores the file.
[[nodiscard]] core::Result<LandedArchive> land_archive(io::RawSink& raw, std::string_view source,
                                                       const ArchiveFile& file);

struct LandedArchives {
  size_t landed = 0;
  size_t verified = 0;                // of them, with a checksum that matched
  std::vector<std::string> problems;  // one per file not landed, in the files' order
};

// Lands `count` files on up to `threads` threads. A file is read (`file_at(i)`) only when a
// thread takes it and let go once landed, so at most `threads` files are held at a time.
// `landed_one` (optional) is called after each file, from the thread that handled it; a stop
// request leaves the files not yet taken.
[[nodiscard]] LandedArchives land_archives(io::RawSink& raw, std::string_view source, size_t count,
                                           const std::function<core::Result<ArchiveFile>(size_t i)>& file_at, size_t threads,
                                           const std::function<void(size_t done, std::string_view name)>& landed_one = {},
                                           std::stop_token stop = {});

// The CSV text inside a landed archive object (unzipped or decompressed).
[[nodiscard]] core::Result<std::string> archive_csv_text(std::string_view key, std::string_view object_bytes);

// Symbol, interval and period from a landed archive key.
[[nodiscard]] core::Result<ArchiveName> archive_name_of_key(std::string_view key);

}  // namespace cryptolake::sources::binance
