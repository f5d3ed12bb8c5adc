#include "analytics/gaussian_process.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "bench/sklearn_gp_peer.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::analytics {
namespace {

TEST(GaussianProcess, TwoPointsGiveTheClosedFormPosterior) {
  const GpKernel kernel{2.0, 1.5, 0.1};
  const std::vector<double> x{0.0, 1.0}, y{0.3, -0.2};
  auto gp = GaussianProcess::fit(x, y, kernel, 0.0);
  ASSERT_TRUE(gp.has_value()) << gp.error().message;
  // By hand: K = [[c+w, c·r], [c·r, c+w]] with r = exp(−1/(2ℓ²)); at x* = 2, k* = c·[exp(−4/(2ℓ²)), r].
  const double r = std::exp(-1.0 / (2 * 1.5 * 1.5)), r2 = std::exp(-4.0 / (2 * 1.5 * 1.5));
  const double a = 2.0 + 0.1, b = 2.0 * r, det = a * a - b * b;
  const double inv00 = a / det, inv01 = -b / det;
  const double k0 = 2.0 * r2, k1 = 2.0 * r;
  const double alpha0 = inv00 * 0.3 + inv01 * -0.2, alpha1 = inv01 * 0.3 + inv00 * -0.2;
  const double mean = k0 * alpha0 + k1 * alpha1;
  const double variance = 2.0 + 0.1 - (k0 * (inv00 * k0 + inv01 * k1) + k1 * (inv01 * k0 + inv00 * k1));
  const GpPrediction p = gp->predict(2.0);
  EXPECT_NEAR(p.mean, mean, 1e-12);
  EXPECT_NEAR(p.std, std::sqrt(variance), 1e-12);
  const double lml = -0.5 * (0.3 * alpha0 + -0.2 * alpha1) - 0.5 * std::log(det) - std::log(2 * M_PI);
  EXPECT_NEAR(gp->log_marginal_likelihood(), lml, 1e-12);
}

TEST(GaussianProcess, RefusesBadInput) {
  const std::vector<double> x{0.0, 1.0}, y{1.0}, nan{0.0, std::nan("")};
  EXPECT_FALSE(GaussianProcess::fit(x, y, {}).has_value());
  EXPECT_FALSE(GaussianProcess::fit(x, nan, {}).has_value());
  EXPECT_FALSE(GaussianProcess::fit(x, x, {0.0, 1.0, 0.0}).has_value());
  EXPECT_FALSE(GaussianProcess::fit(x, x, {1.0, -1.0, 0.0}).has_value());
  EXPECT_FALSE(optimise_kernel(x, y, {}).has_value());
}

// No point of a grid over the bounds' interior (log-spaced) beats the search's likelihood.
TEST(GaussianProcess, TheSearchFindsTheBestLikelihoodOfAGrid) {
  const bench::GpPeerInput in = bench::random_walk_windows(3, 60, 11);
  for (const auto& y : in.windows) {
    auto search = optimise_kernel(in.x, y, GpKernel{});
    ASSERT_TRUE(search.has_value()) << search.error().message;
    auto refit = GaussianProcess::fit(in.x, y, search->kernel);
    ASSERT_TRUE(refit.has_value());
    EXPECT_NEAR(refit->log_marginal_likelihood(), search->log_marginal_likelihood, 1e-9 * std::abs(search->log_marginal_likelihood));
    double best_grid = -HUGE_VAL;
    for (double lc = -18; lc <= -6; lc += 1.0) {
      for (double ll = 0; ll <= 6; ll += 0.5) {
        for (double lw = -20; lw <= -8; lw += 1.0) {
          auto gp = GaussianProcess::fit(in.x, y, {std::exp(lc), std::exp(ll), std::exp(lw)});
          if (gp) best_grid = std::max(best_grid, gp->log_marginal_likelihood());
        }
      }
    }
    EXPECT_GE(search->log_marginal_likelihood, best_grid - 1e-6 * std::abs(best_grid));
  }
}

class AgainstScikitLearn : public ::testing::Test {
 protected:
  void SetUp() override {
    python_ = bench::find_sklearn_python();
    if (!python_) GTEST_SKIP() << "python3 with scikit-learn not found (Debian: apt install python3-sklearn); the comparison is skipped";
  }
  std::optional<std::string> python_;
  testing::TempDir dir_;
};

TEST_F(AgainstScikitLearn, FixedKernelPredictionsAndLikelihoodAgreeTo1e9) {
  bench::GpPeerInput in = bench::random_walk_windows(25, 60, 3);
  in.kernel = {2e-5, 7.5, 3e-7};
  auto peer = bench::run_sklearn_gp(*python_, in, dir_.path());
  ASSERT_TRUE(peer.has_value()) << peer.error().message;
  ASSERT_EQ(peer->predictions.size(), in.windows.size());
  const auto close = [](double ours, double theirs) { return std::abs(ours - theirs) <= 1e-9 * std::max(std::abs(ours), std::abs(theirs)); };
  for (size_t w = 0; w < in.windows.size(); ++w) {
    auto gp = GaussianProcess::fit(in.x, in.windows[w], in.kernel);
    ASSERT_TRUE(gp.has_value());
    EXPECT_TRUE(close(gp->log_marginal_likelihood(), peer->log_marginal_likelihood[w])) << w;
    ASSERT_EQ(peer->predictions[w].size(), in.horizons.size());
    for (size_t h = 0; h < in.horizons.size(); ++h) {
      const GpPrediction ours = gp->predict(in.horizons[h]);
      EXPECT_TRUE(close(ours.mean, peer->predictions[w][h].mean)) << w << " h" << in.horizons[h] << ": " << ours.mean << " vs " << peer->predictions[w][h].mean;
      EXPECT_TRUE(close(ours.std, peer->predictions[w][h].std)) << w << " h" << in.horizons[h] << ": " << ours.std << " vs " << peer->predictions[w][h].std;
      // The sum over x = 1 … horizon, from the joint predictive covariance (what a projection uses).
      std::vector<double> ahead;
      for (int k = 1; k <= static_cast<int>(in.horizons[h]); ++k) ahead.push_back(k);
      const GpPrediction sum = gp->predict_sum(ahead);
      EXPECT_TRUE(close(sum.mean, peer->sums[w][h].mean)) << w << " h" << in.horizons[h] << ": " << sum.mean << " vs " << peer->sums[w][h].mean;
      EXPECT_TRUE(close(sum.std, peer->sums[w][h].std)) << w << " h" << in.horizons[h] << ": " << sum.std << " vs " << peer->sums[w][h].std;
    }
  }
}

TEST_F(AgainstScikitLearn, TheSearchIsAtLeastAsLikelyAsScikitLearnsOnAverage) {
  bench::GpPeerInput in = bench::random_walk_windows(25, 60, 5);
  in.optimise = true;
  auto peer = bench::run_sklearn_gp(*python_, in, dir_.path());
  ASSERT_TRUE(peer.has_value()) << peer.error().message;
  double gain = 0;
  for (size_t w = 0; w < in.windows.size(); ++w) {
    auto search = optimise_kernel(in.x, in.windows[w], in.kernel, in.bounds);
    ASSERT_TRUE(search.has_value());
    gain += search->log_marginal_likelihood - peer->log_marginal_likelihood[w];
  }
  EXPECT_GE(gain / static_cast<double>(in.windows.size()), -1e-6);
}

}  // namespace
}  // namespace cryptolake::analytics
