// `cryptolake bench gp`: the projections' Gaussian process (stream/gaussian_process) next to
// scikit-learn's GaussianProcessRegressor on the same 60-point windows: fit + three predictions
// with fixed hyperparameters, and with the hyperparameter search; both sides checked to agree.
#pragma once

#include <cstddef>

#include "core/result.hpp"

namespace cryptolake::bench {

struct GpBenchOptions {
  size_t windows = 200;
  size_t length = 60;
  int repeat = 5;  // fixed-kernel passes over the windows (timing noise)
};

[[nodiscard]] core::Status bench_gp(const GpBenchOptions& options);

}  // namespace cryptolake::bench
