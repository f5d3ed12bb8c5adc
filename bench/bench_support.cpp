#include "bench/bench_support.hpp"

#include <fstream>
#include <string>

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

void reset_peak_rss() {
  std::ofstream("/proc/self/clear_refs") << "5";  // 5: reset the peak to the current size
}

namespace {

size_t status_kb(std::string_view field) {  // "VmHWM:   123 kB"
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with(field)) return std::stoull(line.substr(field.size()));
  }
  return 0;
}

}  // namespace

size_t peak_rss_bytes() { return status_kb("VmHWM:") * 1024; }
size_t current_rss_bytes() { return status_kb("VmRSS:") * 1024; }

}  // namespace cryptolake::bench
