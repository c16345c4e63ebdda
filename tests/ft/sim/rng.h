#pragma once
// The simulator's only source of randomness: SplitMix64, seeded explicitly.
// Written out here (instead of std::uniform_int_distribution, whose output is
// left to each standard library) so a seed means the same run everywhere.
#include <cstdint>

namespace ftvm::ft::sim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0. The modulo bias is irrelevant for testing.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  // Uniform in [lo, hi].
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }
  // True with probability permille / 1000.
  bool chance(std::uint32_t permille) { return below(1000) < permille; }

 private:
  std::uint64_t state_;
};

}  // namespace ftvm::ft::sim
