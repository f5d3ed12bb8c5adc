// BudgetLedger in small files (one per service) under the lake's _catalog/rate/, guarded by
// flock, so every cryptolake process on the machine shares one budget per service.
#pragma once

#include <filesystem>
#include <mutex>

#include "io/rate_governor.hpp"

namespace cryptolake::io {

class FileBudgetLedger final : public BudgetLedger {
 public:
  explicit FileBudgetLedger(std::filesystem::path directory);
  // An unreadable or unwritable state file falls back to an in-process state and says so once:
  // collection goes on, only the cross-process sharing is lost.
  BudgetState update(std::string_view service, const std::function<void(BudgetState&)>& change) override;

 private:
  std::filesystem::path directory_;
  std::mutex mutex_;  // flock is per open file description; serialise this process's threads too
  InMemoryBudgetLedger fallback_;
};

}  // namespace cryptolake::io
