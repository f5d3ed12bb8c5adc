// Gaussian-process regression on one short series (the projections):
// kernel  C·RBF(ℓ) + White(σ²), exact inference by a Cholesky factor (Eigen), hyperparameters by
// maximising the log marginal likelihood over their logarithms (NLopt's L-BFGS, bounded). The
// predictive mean and variance are scikit-learn's GaussianProcessRegressor's for the same kernel
// (normalize_y=False, alpha on the diagonal): tests/analytics checks them against it.
#pragma once

#include <span>
#include <vector>

#include <Eigen/Dense>

#include "core/result.hpp"

namespace cryptolake::analytics {

struct GpKernel {
  double constant = 1e-5;      // C: the signal variance
  double length_scale = 10.0;  // ℓ, in the inputs' unit
  double noise = 1e-7;         // σ²: the white-noise variance
  friend bool operator==(const GpKernel&, const GpKernel&) = default;
};

// Where the search may go, per hyperparameter (inclusive, > 0).
struct GpBounds {
  double constant_min = 1e-12, constant_max = 1.0;
  double length_scale_min = 1.0, length_scale_max = 1e4;
  double noise_min = 1e-14, noise_max = 1e-1;
};

struct GpPrediction {
  double mean = 0;
  double std = 0;  // includes the white noise, as scikit-learn's does when White is in the kernel
};

class GaussianProcess {
 public:
  // Fits on points (x[i], y[i]); `jitter` is added to the diagonal (scikit-learn's alpha).
  // Fails on mismatched or empty inputs, non-finite values, or a matrix that is not positive definite.
  [[nodiscard]] static core::Result<GaussianProcess> fit(std::span<const double> x, std::span<const double> y, const GpKernel& kernel,
                                                         double jitter = 1e-10);

  [[nodiscard]] GpPrediction predict(double x) const;
  // The sum of the process at several inputs (e.g. the returns of the next candles): its mean, and
  // its std from the joint predictive covariance (white noise on each input's own variance).
  [[nodiscard]] GpPrediction predict_sum(std::span<const double> xs) const;
  [[nodiscard]] double log_marginal_likelihood() const { return log_marginal_likelihood_; }
  [[nodiscard]] const GpKernel& kernel() const { return kernel_; }

 private:
  GaussianProcess() = default;
  GpKernel kernel_;
  double jitter_ = 0;
  Eigen::VectorXd x_, alpha_;
  Eigen::LLT<Eigen::MatrixXd> factor_;
  double log_marginal_likelihood_ = 0;
};

struct GpSearch {
  GpKernel kernel;      // the best found
  double log_marginal_likelihood = 0;
  int evaluations = 0;  // likelihood + gradient evaluations it took
};

// Maximises the log marginal likelihood from `start` (a warm start: the last window's kernel)
// within `bounds`. At most `max_evaluations`; the best point seen is returned.
[[nodiscard]] core::Result<GpSearch> optimise_kernel(std::span<const double> x, std::span<const double> y, const GpKernel& start,
                                                     const GpBounds& bounds = {}, double jitter = 1e-10, int max_evaluations = 60);

}  // namespace cryptolake::analytics
