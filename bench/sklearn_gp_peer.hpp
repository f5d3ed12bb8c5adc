// scikit-learn's GaussianProcessRegressor (scripts/sklearn_gp.py, run by Debian's python3) on the
// same windows as analytics::GaussianProcess: the peer of `bench gp` and the reference of its test.
#pragma once

#include <filesystem>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "analytics/gaussian_process.hpp"

namespace cryptolake::bench {

struct GpPeerInput {
  std::vector<double> x;                     // the inputs every window shares
  std::vector<std::vector<double>> windows;  // targets, one list per window
  std::vector<double> horizons;              // where to predict
  analytics::GpKernel kernel;                   // fixed, or the optimiser's start
  analytics::GpBounds bounds;
  bool optimise = false;
  int repeat = 1;  // the timed loop runs this many times
};

struct GpPeerOutput {
  std::vector<std::vector<analytics::GpPrediction>> predictions;  // per window, per horizon
  std::vector<std::vector<analytics::GpPrediction>> sums;         // of x = 1 … horizon, per window, per horizon
  std::vector<double> log_marginal_likelihood;                 // per window
  std::vector<analytics::GpKernel> kernels;                       // per window (the optimised ones when optimising)
  double seconds = 0;                                          // fits and predictions only, start-up excluded
};

// `count` windows of `length` one-minute log closes relative to the last (x = −length+1 … 0), from
// random walks with 0.1 % steps (seeded: the same windows every run): what both sides fit.
GpPeerInput random_walk_windows(size_t count, size_t length, uint64_t seed);

// A python3 that can import sklearn (Debian's first), or nothing.
std::optional<std::string> find_sklearn_python();

// Runs the reference in `work` (its input and output files are left there).
[[nodiscard]] core::Result<GpPeerOutput> run_sklearn_gp(const std::string& python, const GpPeerInput& input, const std::filesystem::path& work);

}  // namespace cryptolake::bench
