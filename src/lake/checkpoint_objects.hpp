// Sources' checkpoints kept as small objects under _catalog/checkpoints/<name>.
#pragma once

#include "io/checkpoint_store.hpp"
#include "lake/object_store.hpp"

namespace cryptolake::lake {

class CheckpointObjects final : public io::CheckpointStore {
 public:
  explicit CheckpointObjects(ObjectStore& store) : store_(store) {}

  [[nodiscard]] std::optional<std::string> load(std::string_view name) const override;
  [[nodiscard]] core::Status save(std::string_view name, std::string_view value) override;

 private:
  ObjectStore& store_;
};

}  // namespace cryptolake::lake
