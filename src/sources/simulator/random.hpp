// A seeded generator with its own distributions, so a seed gives the same data set on every
// platform and standard library (std:: distributions are implementation-defined).
#pragma once

#include <cstdint>

namespace cryptolake::sources::simulator {

// xoshiro256** seeded through splitmix64. Not thread-safe; one per stream of draws.
class Random {
 public:
  explicit Random(uint64_t seed);
  uint64_t next();
  double uniform();                 // [0, 1)
  double normal();                  // standard normal (Box–Muller)
  double student_t4_unit();         // Student-t with 4 dof, scaled to unit variance: fat tails
  uint64_t poisson(double lambda);  // exact for small lambda, normal approximation above 50
  uint64_t below(uint64_t n);       // uniform in [0, n)

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0;
};

// Derives an independent seed for a named sub-stream ("BTC-USDT/posts") from the run's seed.
uint64_t derive_seed(uint64_t seed, uint64_t stream);

}  // namespace cryptolake::sources::simulator
