// Landing data.binance.vision dumps in the raw zone, byte for byte:
//   raw/<source>/archive/dt=<first day of the file>/<SYMBOL>-<interval>-<period>.zip
// (a bare .csv is stored zstd-compressed as .csv.zst). The transform reads them from there.
#pragma once

#include <optional>
#include <string>

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

// The CSV text inside a landed archive object (unzipped or decompressed).
[[nodiscard]] core::Result<std::string> archive_csv_text(std::string_view key, std::string_view object_bytes);

// Symbol, interval and period from a landed archive key.
[[nodiscard]] core::Result<ArchiveName> archive_name_of_key(std::string_view key);

}  // namespace cryptolake::sources::binance
