#include "io/real/file_budget_ledger.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "support/temp_dir.hpp"

namespace cryptolake::io {
namespace {

// Two ledgers on one folder stand for two cryptolake processes: each sees what the other spent,
// and concurrent updates are never lost (flock around read-modify-write).
TEST(FileBudgetLedger, ProcessesShareOneBudgetPerServiceWithoutLosingUpdates) {
  testing::TempDir dir;
  FileBudgetLedger first(dir.path() / "rate"), second(dir.path() / "rate");
  first.update("binance", [](BudgetState& s) { s.used += 10; });
  EXPECT_EQ(second.update("binance", [](BudgetState& s) { s.used += 5; }).used, 15);
  EXPECT_EQ(first.update("binance", [](BudgetState&) {}).used, 15);
  EXPECT_EQ(first.update("coingecko", [](BudgetState&) {}).used, 0);  // one budget per service

  second.update("binance", [](BudgetState& s) {
    s.blocked_until_us = 123'456;
    s.slow_until_us = 789;
  });
  const BudgetState seen = first.update("binance", [](BudgetState&) {});
  EXPECT_EQ(seen.blocked_until_us, 123'456);
  EXPECT_EQ(seen.slow_until_us, 789);

  {
    std::jthread a([&] {
      for (int i = 0; i < 500; ++i) first.update("x", [](BudgetState& s) { ++s.used; });
    });
    std::jthread b([&] {
      for (int i = 0; i < 500; ++i) second.update("x", [](BudgetState& s) { ++s.used; });
    });
  }
  EXPECT_EQ(first.update("x", [](BudgetState&) {}).used, 1000);
}

}  // namespace
}  // namespace cryptolake::io
