#include "bench/sklearn_gp_peer.hpp"

#include <cstdlib>
#include <fstream>
#include <random>

#include <fmt/format.h>
#include <simdjson.h>

namespace cryptolake::bench {

namespace {

using core::ErrorCode;
using core::fail;

std::string numbers(const std::vector<double>& values) { return fmt::format("[{:.17g}]", fmt::join(values, ",")); }

std::string input_json(const GpPeerInput& in) {
  std::string windows;
  for (const auto& w : in.windows) windows += (windows.empty() ? "" : ",") + numbers(w);
  const auto& b = in.bounds;
  return fmt::format(
      R"({{"x":{},"windows":[{}],"horizons":{},"kernel":{{"constant":{:.17g},"length_scale":{:.17g},"noise":{:.17g}}},)"
      R"("bounds":{{"constant":[{:.17g},{:.17g}],"length_scale":[{:.17g},{:.17g}],"noise":[{:.17g},{:.17g}]}},"optimise":{},"repeat":{}}})",
      numbers(in.x), windows, numbers(in.horizons), in.kernel.constant, in.kernel.length_scale, in.kernel.noise, b.constant_min,
      b.constant_max, b.length_scale_min, b.length_scale_max, b.noise_min, b.noise_max, in.optimise, in.repeat);
}

core::Result<std::vector<double>> doubles(simdjson::dom::element list) {
  simdjson::dom::array array;
  if (list.get_array().get(array)) return fail(ErrorCode::corrupt_data, "sklearn_gp: a list of numbers expected");
  std::vector<double> out;
  for (simdjson::dom::element e : array) {
    double v = 0;
    if (e.get_double().get(v)) return fail(ErrorCode::corrupt_data, "sklearn_gp: a number expected");
    out.push_back(v);
  }
  return out;
}

// [[[mean, std] per horizon] per window]
core::Status read_predictions(simdjson::dom::array windows, std::vector<std::vector<analytics::GpPrediction>>& out) {
  for (simdjson::dom::element window : windows) {
    simdjson::dom::array horizons;
    if (window.get_array().get(horizons)) return fail(ErrorCode::corrupt_data, "sklearn_gp: a window's predictions expected");
    std::vector<analytics::GpPrediction>& row = out.emplace_back();
    for (simdjson::dom::element pair : horizons) {
      TRY_ASSIGN(const std::vector<double> mean_std, doubles(pair));
      if (mean_std.size() != 2) return fail(ErrorCode::corrupt_data, "sklearn_gp: [mean, std] expected");
      row.push_back({mean_std[0], mean_std[1]});
    }
  }
  return {};
}

}  // namespace

GpPeerInput random_walk_windows(size_t count, size_t length, uint64_t seed) {
  GpPeerInput in;
  for (size_t i = 0; i < length; ++i) in.x.push_back(static_cast<double>(i) - static_cast<double>(length - 1));
  in.horizons = {1, 5, 10};
  std::mt19937_64 random(seed);
  std::normal_distribution<double> step(0.0, 1e-3);
  for (size_t w = 0; w < count; ++w) {
    std::vector<double> log_price(length);
    double drift = step(random) * 0.05;
    for (size_t i = 1; i < length; ++i) log_price[i] = log_price[i - 1] + drift + step(random);
    for (double& v : log_price) v -= log_price.back();
    in.windows.push_back(std::move(log_price));
  }
  return in;
}

std::optional<std::string> find_sklearn_python() {
  for (const char* python : {"/usr/bin/python3", "python3"}) {
    if (std::system(fmt::format("{} -c 'import sklearn' >/dev/null 2>&1", python).c_str()) == 0) return python;
  }
  return std::nullopt;
}

core::Result<GpPeerOutput> run_sklearn_gp(const std::string& python, const GpPeerInput& input, const std::filesystem::path& work) {
  const auto in_path = work / "sklearn_gp_in.json", out_path = work / "sklearn_gp_out.json";
  {
    std::ofstream out(in_path, std::ios::binary);
    out << input_json(input);
    if (!out) return fail(ErrorCode::io_error, "cannot write {}", in_path.string());
  }
  const std::string command = fmt::format("{} {} {} {}", python, CRYPTOLAKE_SKLEARN_GP_SCRIPT, in_path.string(), out_path.string());
  if (std::system(command.c_str()) != 0) return fail(ErrorCode::unavailable, "sklearn_gp.py failed: {}", command);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.load(out_path.string()).get(root)) return fail(ErrorCode::corrupt_data, "cannot parse {}", out_path.string());
  GpPeerOutput out;
  simdjson::dom::array windows, kernels;
  if (root["seconds"].get_double().get(out.seconds) || root["predictions"].get_array().get(windows) || root["kernels"].get_array().get(kernels)) {
    return fail(ErrorCode::corrupt_data, "{}: seconds, predictions and kernels expected", out_path.string());
  }
  TRY(read_predictions(windows, out.predictions));
  simdjson::dom::array sums;
  if (root["sums"].get_array().get(sums)) return fail(ErrorCode::corrupt_data, "{}: sums expected", out_path.string());
  TRY(read_predictions(sums, out.sums));
  for (simdjson::dom::element kernel : kernels) {
    TRY_ASSIGN(const std::vector<double> k, doubles(kernel));
    if (k.size() != 3) return fail(ErrorCode::corrupt_data, "sklearn_gp: [constant, length_scale, noise] expected");
    out.kernels.push_back({k[0], k[1], k[2]});
  }
  TRY_ASSIGN(out.log_marginal_likelihood, doubles(root["lml"]));
  return out;
}

}  // namespace cryptolake::bench
