#include "bench/gp_bench.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>
#include <unistd.h>

#include "bench/bench_support.hpp"
#include "bench/sklearn_gp_peer.hpp"
#include "io/real/allocator_tuning.hpp"

namespace cryptolake::bench {

namespace fs = std::filesystem;

namespace {

// Largest relative difference between two predictions' means and stds, over every window and horizon.
double largest_difference(const std::vector<std::vector<analytics::GpPrediction>>& a, const std::vector<std::vector<analytics::GpPrediction>>& b) {
  double worst = 0;
  const auto relative = [](double x, double y) { return std::abs(x - y) / std::max({std::abs(x), std::abs(y), 1e-300}); };
  for (size_t w = 0; w < a.size() && w < b.size(); ++w) {
    for (size_t h = 0; h < a[w].size() && h < b[w].size(); ++h) {
      worst = std::max({worst, relative(a[w][h].mean, b[w][h].mean), relative(a[w][h].std, b[w][h].std)});
    }
  }
  return worst;
}

void line(std::string_view what, double seconds, size_t fits) {
  fmt::print("{:<52} {:>10.1f} µs per window\n", what, seconds / static_cast<double>(fits) * 1e6);
}

}  // namespace

core::Status bench_gp(const GpBenchOptions& options) {
  io::keep_large_blocks_in_heap(size_t{64} << 20);  // as the stream commands that project do
  GpPeerInput in = random_walk_windows(options.windows, options.length, 20240101);
  in.repeat = std::max(1, options.repeat);
  fmt::print("input: {} windows of {} one-minute log closes, predictions at 1, 5 and 10 minutes, one thread\n", in.windows.size(), options.length);

  // Ours, fixed hyperparameters: fit + three predictions per window.
  std::vector<std::vector<analytics::GpPrediction>> ours(in.windows.size());
  auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < in.repeat; ++r) {
    for (size_t w = 0; w < in.windows.size(); ++w) {
      TRY_ASSIGN(const analytics::GaussianProcess gp, analytics::GaussianProcess::fit(in.x, in.windows[w], in.kernel));
      ours[w].clear();
      for (double h : in.horizons) ours[w].push_back(gp.predict(h));
    }
  }
  const double ours_fixed = seconds_since(start);
  const size_t fixed_fits = in.windows.size() * static_cast<size_t>(in.repeat);
  line("cryptolake: fit + 3 predictions, fixed kernel", ours_fixed, fixed_fits);

  // Ours, with the hyperparameter search from the same (cold) start every window.
  std::vector<double> ours_lml;
  start = std::chrono::steady_clock::now();
  int evaluations = 0;
  for (const auto& y : in.windows) {
    TRY_ASSIGN(const analytics::GpSearch search, analytics::optimise_kernel(in.x, y, in.kernel, in.bounds));
    TRY_ASSIGN(const analytics::GaussianProcess gp, analytics::GaussianProcess::fit(in.x, y, search.kernel));
    for (double h : in.horizons) (void)gp.predict(h);
    ours_lml.push_back(search.log_marginal_likelihood);
    evaluations += search.evaluations;
  }
  const double ours_search = seconds_since(start);
  line("cryptolake: hyperparameter search + fit + 3 predictions", ours_search, in.windows.size());
  fmt::print("{:<52} {:>10.1f}\n", "  likelihood evaluations per search (mean)", static_cast<double>(evaluations) / static_cast<double>(in.windows.size()));

  // Ours as the stream runs it: windows sliding one minute along one walk, each search warm-started
  // from the last window's kernel (no peer: scikit-learn has no warm start).
  const GpPeerInput walk = random_walk_windows(1, in.windows.size() + options.length, 7);
  analytics::GpKernel warm = in.kernel;
  int warm_evaluations = 0;
  start = std::chrono::steady_clock::now();
  for (size_t w = 0; w < in.windows.size(); ++w) {
    std::vector<double> y(walk.windows[0].begin() + static_cast<std::ptrdiff_t>(w), walk.windows[0].begin() + static_cast<std::ptrdiff_t>(w + options.length));
    for (double& v : y) v -= y.back();
    TRY_ASSIGN(const analytics::GpSearch search, analytics::optimise_kernel(in.x, y, warm, in.bounds));
    TRY_ASSIGN(const analytics::GaussianProcess gp, analytics::GaussianProcess::fit(in.x, y, search.kernel));
    for (double h : in.horizons) (void)gp.predict(h);
    warm = search.kernel;
    warm_evaluations += search.evaluations;
  }
  line("cryptolake: the same, warm-started on sliding windows", seconds_since(start), in.windows.size());
  fmt::print("{:<52} {:>10.1f}\n", "  likelihood evaluations per search (mean)", static_cast<double>(warm_evaluations) / static_cast<double>(in.windows.size()));

  const auto python = find_sklearn_python();
  if (!python) {
    fmt::print("\nscikit-learn not found: the peer is skipped (Debian: apt install python3-sklearn)\n");
    return {};
  }
  const fs::path work = fs::temp_directory_path() / fmt::format("cryptolake-bench-gp-{}", ::getpid());
  fs::create_directories(work);
  TRY_ASSIGN(const GpPeerOutput peer_fixed, run_sklearn_gp(*python, in, work));
  line("scikit-learn: fit + 3 predictions, fixed kernel", peer_fixed.seconds, fixed_fits);
  in.optimise = true;
  in.repeat = 1;
  TRY_ASSIGN(const GpPeerOutput peer_search, run_sklearn_gp(*python, in, work));
  line("scikit-learn: hyperparameter search + fit + 3 predictions", peer_search.seconds, in.windows.size());
  fs::remove_all(work);

  const double difference = largest_difference(ours, peer_fixed.predictions);
  if (difference > 1e-9) return core::fail(core::ErrorCode::corrupt_data, "predictions differ from scikit-learn's by {:.3g} (relative)", difference);
  size_t worse = 0;
  double gain = 0;
  for (size_t w = 0; w < ours_lml.size() && w < peer_search.log_marginal_likelihood.size(); ++w) {
    const double diff = ours_lml[w] - peer_search.log_marginal_likelihood[w];
    gain += diff;
    if (diff < -1e-6 * std::abs(peer_search.log_marginal_likelihood[w])) ++worse;
  }
  fmt::print("check: fixed-kernel predictions equal scikit-learn's to {:.2g} (relative); searched log marginal likelihood "
             "{:+.4f} per window vs scikit-learn's, lower on {} of {} windows\n",
             difference, gain / static_cast<double>(ours_lml.size()), worse, ours_lml.size());
  fmt::print("ratio {:.1f}× fixed kernel (sklearn time / cryptolake time)\n", peer_fixed.seconds / ours_fixed);
  fmt::print("ratio {:.1f}× with the hyperparameter search (sklearn time / cryptolake time)\n", peer_search.seconds / ours_search);
  return {};
}

}  // namespace cryptolake::bench
