// ObjectStore on a local directory: atomic puts by temp file + rename, atomic partition swaps by
// renameat2(RENAME_EXCHANGE).
#pragma once

#include <atomic>
#include <filesystem>

#include "lake/object_store.hpp"

namespace cryptolake::lake {

class LocalObjectStore final : public ObjectStore {
 public:
  struct Options {
    bool sync = false;  // fsync files before publishing them (survives power loss, not only crashes)
  };
  explicit LocalObjectStore(std::filesystem::path root) : LocalObjectStore(std::move(root), Options{false}) {}
  LocalObjectStore(std::filesystem::path root, Options options);

  core::Status put(std::string_view key, std::string_view bytes) override;
  core::Result<std::string> get(std::string_view key) const override;
  core::Result<uint64_t> size(std::string_view key) const override;
  core::Result<std::vector<std::string>> list(std::string_view prefix) const override;
  core::Result<std::vector<std::string>> list_prefixes(std::string_view prefix) const override;
  core::Status remove(std::string_view key) override;
  core::Result<std::string> stage(std::string_view prefix) override;
  core::Status publish(std::string_view staged, std::string_view prefix) override;
  void discard(std::string_view staged) override;
  core::Status remove_stale_staging(std::string_view prefix) override;
  std::string location(std::string_view key) const override;

  // The lake's folder: for what is local by nature (the writer lock, DuckDB's own files).
  const std::filesystem::path& root() const { return root_; }

  // Names that hold unfinished work; never listed.
  static bool is_hidden_name(std::string_view name) {
    return name.starts_with(".") || name.starts_with("_staging") || name.starts_with("_held");
  }

 private:
  std::filesystem::path path_of(std::string_view key) const;

  std::filesystem::path root_;
  Options options_;
  mutable std::atomic<uint64_t> counter_{0};
};

}  // namespace cryptolake::lake
