#include "lake/partition_commit.hpp"

#include <fmt/format.h>

namespace cryptolake::lake {

std::optional<CuratedKey> parse_curated_key(std::string_view key) {
  constexpr std::string_view kRoot = "curated/";
  if (!key.starts_with(kRoot) || !key.ends_with(".parquet")) return std::nullopt;
  const size_t slash = key.find('/', kRoot.size());
  if (slash == std::string_view::npos || key.substr(slash, 4) != "/dt=") return std::nullopt;
  const size_t end = key.find('/', slash + 4);
  if (end == std::string_view::npos) return std::nullopt;
  return CuratedKey{std::string(key.substr(kRoot.size(), slash - kRoot.size())), std::string(key.substr(slash + 4, end - slash - 4))};
}

std::string PartitionCommit::prefix(std::string_view table, std::string_view dt) {
  return fmt::format("curated/{}/dt={}", table, dt);
}

PartitionCommit::PartitionCommit(ObjectStore& store, std::string_view table, std::string_view dt)
    : store_(store), prefix_(prefix(table, dt)), staging_(store.staging_dir(prefix_)) {
  std::filesystem::create_directories(staging_);
}

PartitionCommit::~PartitionCommit() {
  if (!published_) {
    std::error_code ignored;
    std::filesystem::remove_all(staging_, ignored);
  }
}

std::filesystem::path PartitionCommit::file(int n) const { return staging_ / fmt::format("part-{}.parquet", n); }

core::Status PartitionCommit::publish() {
  TRY(store_.publish_directory(staging_, prefix_));
  published_ = true;
  return {};
}

}  // namespace cryptolake::lake
