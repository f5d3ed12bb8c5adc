// One partition of a curated table on its way to readers: files are written into a private
// staging directory, then published in one atomic step (readers see the old partition or the new
// one, never half). Destroying an unpublished commit removes what it staged. One per write.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "lake/object_store.hpp"

namespace cryptolake::lake {

class PartitionCommit {
 public:
  PartitionCommit(ObjectStore& store, std::string_view table, std::string_view dt);
  ~PartitionCommit();
  PartitionCommit(const PartitionCommit&) = delete;
  PartitionCommit& operator=(const PartitionCommit&) = delete;

  // Where the n-th data file of the partition is to be written: <staging>/part-<n>.parquet.
  std::filesystem::path file(int n) const;
  [[nodiscard]] core::Status publish();

  // "curated/<table>/dt=<dt>"
  static std::string prefix(std::string_view table, std::string_view dt);

 private:
  ObjectStore& store_;
  std::string prefix_;
  std::filesystem::path staging_;
  bool published_ = false;
};

}  // namespace cryptolake::lake
