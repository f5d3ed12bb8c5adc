#include "analytics/gaussian_process.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numbers>

#include <nlopt.h>

namespace cryptolake::analytics {

namespace {

using core::ErrorCode;
using core::fail;

// (xᵢ − xⱼ)² for every pair of inputs.
Eigen::MatrixXd squared_distances(const Eigen::VectorXd& x) {
  return Eigen::MatrixXd::NullaryExpr(x.size(), x.size(), [&](Eigen::Index i, Eigen::Index j) { return (x[i] - x[j]) * (x[i] - x[j]); });
}

// exp(−d²/2ℓ²) for every pair: the RBF part before the constant.
// Symmetric: one exp per pair.
Eigen::MatrixXd rbf(const Eigen::MatrixXd& d2, double length_scale) {
  const auto n = d2.rows();
  const double scale = -0.5 / (length_scale * length_scale);
  Eigen::MatrixXd r(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    r(j, j) = 1.0;
    for (Eigen::Index i = j + 1; i < n; ++i) r(i, j) = r(j, i) = std::exp(scale * d2(i, j));
  }
  return r;
}

core::Status check_points(std::span<const double> x, std::span<const double> y) {
  if (x.empty() || x.size() != y.size()) return fail(ErrorCode::invalid_argument, "gp: {} inputs for {} targets", x.size(), y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) return fail(ErrorCode::invalid_argument, "gp: point {} is not finite", i);
  }
  return {};
}

bool valid(const GpKernel& k) {
  return std::isfinite(k.constant) && std::isfinite(k.length_scale) && std::isfinite(k.noise) && k.constant > 0 && k.length_scale > 0 &&
         k.noise >= 0;
}

// The likelihood and its gradient over (log C, log ℓ, log σ²), for NLopt.
struct Objective {
  Eigen::VectorXd y;
  Eigen::MatrixXd d2;  // squared distances, fixed during the search
  double jitter = 0;
  int evaluations = 0;
  double best = -HUGE_VAL;
  std::array<double, 3> best_at{};
};

double likelihood_and_gradient(unsigned /*n*/, const double* theta, double* gradient, void* data) {
  auto& o = *static_cast<Objective*>(data);
  ++o.evaluations;
  const double c = std::exp(theta[0]), l = std::exp(theta[1]), w = std::exp(theta[2]);
  const auto n = o.y.size();
  const Eigen::MatrixXd signal = c * rbf(o.d2, l);  // C·R
  Eigen::MatrixXd k = signal;
  k.diagonal().array() += w + o.jitter;
  const Eigen::LLT<Eigen::MatrixXd> factor(k);
  if (factor.info() != Eigen::Success) {
    if (gradient != nullptr) gradient[0] = gradient[1] = gradient[2] = 0;
    return -1e300;  // not positive definite: the search steps back
  }
  const Eigen::VectorXd alpha = factor.solve(o.y);
  const double log_det_half = factor.matrixLLT().diagonal().array().log().sum();
  const double lml = -0.5 * o.y.dot(alpha) - log_det_half - 0.5 * static_cast<double>(n) * std::log(2 * std::numbers::pi);
  if (gradient != nullptr) {
    // ∂/∂θ = ½ (αᵀ ∂K α − tr(K⁻¹ ∂K)), with K⁻¹ = L⁻ᵀL⁻¹ from the factor's inverse.
    Eigen::MatrixXd l_inv = Eigen::MatrixXd::Identity(n, n);
    factor.matrixL().solveInPlace(l_inv);
    Eigen::MatrixXd k_inv = Eigen::MatrixXd::Zero(n, n);
    k_inv.selfadjointView<Eigen::Lower>().rankUpdate(l_inv.transpose());
    k_inv.triangularView<Eigen::StrictlyUpper>() = k_inv.transpose();
    const Eigen::MatrixXd d_length = (signal.array() * o.d2.array() / (l * l)).matrix();  // ∂K/∂log ℓ
    const double trace_k_inv = k_inv.trace();
    gradient[0] = 0.5 * (alpha.dot(signal * alpha) - (static_cast<double>(n) - (w + o.jitter) * trace_k_inv));  // tr(K⁻¹·C·R) = n − (σ²+jitter)·tr(K⁻¹)
    gradient[1] = 0.5 * (alpha.dot(d_length * alpha) - (k_inv.array() * d_length.array()).sum());
    gradient[2] = 0.5 * w * (alpha.squaredNorm() - trace_k_inv);
  }
  if (lml > o.best) {
    o.best = lml;
    o.best_at = {theta[0], theta[1], theta[2]};
  }
  return lml;
}

}  // namespace

core::Result<GaussianProcess> GaussianProcess::fit(std::span<const double> x, std::span<const double> y, const GpKernel& kernel,
                                                   double jitter) {
  TRY(check_points(x, y));
  if (!valid(kernel) || !(jitter >= 0)) return fail(ErrorCode::invalid_argument, "gp: the kernel's parameters must be positive and finite");
  GaussianProcess gp;
  gp.kernel_ = kernel;
  gp.jitter_ = jitter;
  gp.x_ = Eigen::Map<const Eigen::VectorXd>(x.data(), static_cast<Eigen::Index>(x.size()));
  const Eigen::Map<const Eigen::VectorXd> targets(y.data(), static_cast<Eigen::Index>(y.size()));
  Eigen::MatrixXd k = kernel.constant * rbf(squared_distances(gp.x_), kernel.length_scale);
  k.diagonal().array() += kernel.noise + jitter;
  gp.factor_.compute(k);
  if (gp.factor_.info() != Eigen::Success) return fail(ErrorCode::invalid_argument, "gp: the kernel matrix is not positive definite");
  gp.alpha_ = gp.factor_.solve(targets);
  const auto n = static_cast<double>(x.size());
  gp.log_marginal_likelihood_ = -0.5 * targets.dot(gp.alpha_) - gp.factor_.matrixLLT().diagonal().array().log().sum() -
                                0.5 * n * std::log(2 * std::numbers::pi);
  return gp;
}

GpPrediction GaussianProcess::predict(double x) const {
  const double scale = -0.5 / (kernel_.length_scale * kernel_.length_scale);
  const Eigen::VectorXd k_star = ((x_.array() - x).square() * scale).exp() * kernel_.constant;
  const double mean = k_star.dot(alpha_);
  const Eigen::VectorXd v = factor_.matrixL().solve(k_star);
  const double variance = kernel_.constant + kernel_.noise - v.squaredNorm();
  return {mean, std::sqrt(std::max(0.0, variance))};
}

GpPrediction GaussianProcess::predict_sum(std::span<const double> xs) const {
  const auto m = static_cast<Eigen::Index>(xs.size());
  const double scale = -0.5 / (kernel_.length_scale * kernel_.length_scale);
  Eigen::MatrixXd k_star(x_.size(), m);
  Eigen::MatrixXd k_star_star(m, m);
  for (Eigen::Index j = 0; j < m; ++j) {
    k_star.col(j) = ((x_.array() - xs[static_cast<size_t>(j)]).square() * scale).exp() * kernel_.constant;
    for (Eigen::Index i = 0; i < m; ++i) {
      const double d = xs[static_cast<size_t>(i)] - xs[static_cast<size_t>(j)];
      k_star_star(i, j) = kernel_.constant * std::exp(scale * d * d) + (i == j ? kernel_.noise : 0.0);
    }
  }
  const double mean = (k_star.transpose() * alpha_).sum();
  const Eigen::MatrixXd v = factor_.matrixL().solve(k_star);
  const double variance = (k_star_star - v.transpose() * v).sum();
  return {mean, std::sqrt(std::max(0.0, variance))};
}

core::Result<GpSearch> optimise_kernel(std::span<const double> x, std::span<const double> y, const GpKernel& start, const GpBounds& bounds,
                                       double jitter, int max_evaluations) {
  TRY(check_points(x, y));
  if (!valid(start)) return fail(ErrorCode::invalid_argument, "gp: the starting kernel's parameters must be positive and finite");
  const std::array<double, 3> lower{std::log(bounds.constant_min), std::log(bounds.length_scale_min), std::log(bounds.noise_min)};
  const std::array<double, 3> upper{std::log(bounds.constant_max), std::log(bounds.length_scale_max), std::log(bounds.noise_max)};
  std::array<double, 3> theta{std::log(start.constant), std::log(start.length_scale), std::log(std::max(start.noise, bounds.noise_min))};
  for (size_t i = 0; i < 3; ++i) theta[i] = std::clamp(theta[i], lower[i], upper[i]);

  Objective objective;
  objective.d2 = squared_distances(Eigen::Map<const Eigen::VectorXd>(x.data(), static_cast<Eigen::Index>(x.size())));
  objective.y = Eigen::Map<const Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size()));
  objective.jitter = jitter;
  const std::unique_ptr<nlopt_opt_s, decltype(&nlopt_destroy)> opt(nlopt_create(NLOPT_LD_LBFGS, 3), &nlopt_destroy);
  if (!opt) return fail(ErrorCode::unavailable, "gp: cannot create the optimiser");
  nlopt_set_lower_bounds(opt.get(), lower.data());
  nlopt_set_upper_bounds(opt.get(), upper.data());
  nlopt_set_max_objective(opt.get(), &likelihood_and_gradient, &objective);
  nlopt_set_maxeval(opt.get(), std::max(1, max_evaluations));
  nlopt_set_ftol_rel(opt.get(), 1e-9);  // about L-BFGS-B's default stop (scikit-learn's optimiser)
  nlopt_set_xtol_rel(opt.get(), 1e-5);
  double value = 0;
  const nlopt_result result = nlopt_optimize(opt.get(), theta.data(), &value);
  // A stop by the evaluation limit or a rounding-limited step still leaves the best point seen.
  if (result < 0 && result != NLOPT_ROUNDOFF_LIMITED && objective.evaluations == 0) {
    return fail(ErrorCode::unavailable, "gp: the optimiser failed ({})", nlopt_result_to_string(result));
  }
  if (objective.best == -HUGE_VAL || objective.best <= -1e300) return fail(ErrorCode::invalid_argument, "gp: no kernel in the bounds fits these points");
  const auto& best = objective.best_at;
  return GpSearch{{std::exp(best[0]), std::exp(best[1]), std::exp(best[2])}, objective.best, objective.evaluations};
}

}  // namespace cryptolake::analytics
