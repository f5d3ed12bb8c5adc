#include "lake/partition_commit.hpp"

#include <fmt/format.h>

#include "lake/layout.hpp"
#include "lake/partition_versions.hpp"

namespace cryptolake::lake {

std::string PartitionCommit::prefix(std::string_view table, std::string_view dt) {
  std::string prefix = layout::partition_prefix(table, dt);
  prefix.pop_back();  // the partition's own name: the store publishes it as one unit
  return prefix;
}

core::Result<PartitionCommit> PartitionCommit::open(ObjectStore& store, std::string_view table, std::string_view dt) {
  std::string target = prefix(table, dt);
  TRY_ASSIGN(std::string staged, store.stage(target));
  return PartitionCommit(store, std::string(table), std::string(dt), std::move(target), std::move(staged));
}

PartitionCommit::PartitionCommit(PartitionCommit&& other) noexcept
    : store_(other.store_), table_(std::move(other.table_)), dt_(std::move(other.dt_)), prefix_(std::move(other.prefix_)),
      staged_(std::move(other.staged_)), published_(other.published_) {
  other.published_ = true;  // the moved-from commit owns nothing to discard
}

PartitionCommit::~PartitionCommit() {
  if (!published_) store_->discard(staged_);
}

std::string PartitionCommit::file(int n) const { return store_->location(fmt::format("{}part-{}.parquet", staged_, n)); }

core::Status PartitionCommit::publish() {
  TRY(forget_partition_version(*store_, table_, dt_));
  TRY(store_->publish(staged_, prefix_));
  published_ = true;
  // What is there now: the new files, or the old ones if a quality gate held the new back.
  return record_partition_version(*store_, table_, dt_);
}

}  // namespace cryptolake::lake
