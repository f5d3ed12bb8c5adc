// Fills what a post's source does not say (coins, sentiment). Analytics implements it and the
// posts transform calls it, so neither depends on the other. Must be thread-safe.
#pragma once

#include "core/market.hpp"

namespace cryptolake::core {

class PostEnricher {
 public:
  virtual ~PostEnricher() = default;
  virtual void enrich(Post& post) const = 0;
};

}  // namespace cryptolake::core
