#include "sources/simulator/random.hpp"

#include <cmath>
#include <numbers>

namespace cryptolake::sources::simulator {

namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

uint64_t derive_seed(uint64_t seed, uint64_t stream) {
  uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
  return splitmix64(x);
}

Random::Random(uint64_t seed) {
  for (uint64_t& s : s_) s = splitmix64(seed);
}

uint64_t Random::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Random::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Random::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u = 0;
  while (u <= 0) u = uniform();
  const double v = uniform();
  const double r = std::sqrt(-2.0 * std::log(u));
  spare_ = r * std::sin(2 * std::numbers::pi * v);
  has_spare_ = true;
  return r * std::cos(2 * std::numbers::pi * v);
}

double Random::student_t4_unit() {
  // t = Z / sqrt(chi2_4 / 4); Var(t_4) = 2.
  double chi2 = 0;
  for (int i = 0; i < 4; ++i) {
    const double z = normal();
    chi2 += z * z;
  }
  return normal() / std::sqrt(chi2 / 4.0) / std::sqrt(2.0);
}

uint64_t Random::poisson(double lambda) {
  if (lambda <= 0) return 0;
  if (lambda > 50) {
    const double x = std::round(lambda + std::sqrt(lambda) * normal());
    return x < 0 ? 0 : static_cast<uint64_t>(x);
  }
  const double limit = std::exp(-lambda);
  uint64_t k = 0;
  double p = uniform();
  while (p > limit) {
    ++k;
    p *= uniform();
  }
  return k;
}

uint64_t Random::below(uint64_t n) { return n == 0 ? 0 : next() % n; }

}  // namespace cryptolake::sources::simulator
