#include "lake/partition_commit.hpp"
#include "lake/layout.hpp"

#include <fmt/format.h>

namespace cryptolake::lake {

std::string PartitionCommit::prefix(std::string_view table, std::string_view dt) {
  std::string prefix = layout::partition_prefix(table, dt);
  prefix.pop_back();  // the partition's own name: the store publishes it as one directory
  return prefix;
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
