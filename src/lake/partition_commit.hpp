// One partition of a curated table on its way to readers: files are written into a private
// staging area of the store, then published in one atomic step (readers see the old partition or
// the new one, never half), and its content version recorded (lake/partition_versions). Destroying an unpublished commit discards what it staged. One per write.
#pragma once

#include <string>

#include "lake/object_store.hpp"

namespace cryptolake::lake {

class PartitionCommit {
 public:
  [[nodiscard]] static core::Result<PartitionCommit> open(ObjectStore& store, std::string_view table, std::string_view dt);
  PartitionCommit(PartitionCommit&& other) noexcept;
  PartitionCommit& operator=(PartitionCommit&&) = delete;
  PartitionCommit(const PartitionCommit&) = delete;
  PartitionCommit& operator=(const PartitionCommit&) = delete;
  ~PartitionCommit();

  // Where an engine writes the n-th data file of the partition: <staging>/part-<n>.parquet.
  std::string file(int n) const;
  [[nodiscard]] core::Status publish();

  // "curated/<table>/dt=<dt>"
  static std::string prefix(std::string_view table, std::string_view dt);

 private:
  PartitionCommit(ObjectStore& store, std::string table, std::string dt, std::string prefix, std::string staged)
      : store_(&store), table_(std::move(table)), dt_(std::move(dt)), prefix_(std::move(prefix)), staged_(std::move(staged)) {}

  ObjectStore* store_;
  std::string table_, dt_;
  std::string prefix_;
  std::string staged_;
  bool published_ = false;
};

}  // namespace cryptolake::lake
