// ObjectStore on a local directory: atomic puts by temp file + rename, atomic partition swaps by
// renameat2(RENAME_EXCHANGE).
#pragma once

#include <atomic>

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
  core::Result<std::vector<std::string>> list(std::string_view prefix) const override;
  core::Status remove(std::string_view key) override;
  core::Status publish_directory(const std::filesystem::path& staged, std::string_view prefix) override;
  std::filesystem::path staging_dir(std::string_view prefix) const override;
  std::optional<std::filesystem::path> local_path(std::string_view key) const override;

  const std::filesystem::path& root() const { return root_; }

  // Names that hold unfinished work; never listed. Staging areas are removed by remove_stale_staging().
  static bool is_hidden_name(std::string_view name) {
    return name.starts_with(".") || name.starts_with("_staging") || name.starts_with("_held");
  }
  // Removes staging areas and temp files left by a killed process. Call only when no writer runs.
  core::Status remove_stale_staging(std::string_view prefix);

 private:
  std::filesystem::path path_of(std::string_view key) const;

  std::filesystem::path root_;
  Options options_;
  mutable std::atomic<uint64_t> counter_{0};
};

}  // namespace cryptolake::lake
