#include "bench/bench_support.hpp"

#include <fstream>

#include "lake/raw_zone.hpp"

namespace cryptolake::bench {

core::Result<size_t> decompress_batches(const lake::ObjectStore& store, std::string_view source, std::string_view dataset,
                                        const std::filesystem::path& out) {
  lake::RawZoneReader reader(store);
  TRY_ASSIGN(const auto keys, reader.list_batches(source, dataset));
  std::ofstream file(out, std::ios::binary);
  size_t bytes = 0;
  for (const std::string& key : keys) {
    TRY_ASSIGN(const std::string text, reader.read_batch(key));
    file << text;
    bytes += text.size();
  }
  if (!file) return core::fail(core::ErrorCode::io_error, "cannot write {}", out.string());
  return bytes;
}

}  // namespace cryptolake::bench
