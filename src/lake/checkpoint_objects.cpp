#include "lake/checkpoint_objects.hpp"

#include "lake/layout.hpp"

namespace cryptolake::lake {

std::optional<std::string> CheckpointObjects::load(std::string_view name) const {
  auto value = store_.get(layout::checkpoint_key(name));
  if (!value) return std::nullopt;
  return std::move(*value);
}

core::Status CheckpointObjects::save(std::string_view name, std::string_view value) {
  return store_.put(layout::checkpoint_key(name), value);
}

}  // namespace cryptolake::lake
