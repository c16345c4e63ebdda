#pragma once
// A deterministic source of "interesting" floating-point bit patterns for the
// randomized tests: specials, subnormals, values near overflow, short
// significands that make exact results and ties common, and operands placed
// close to each other so that sums cancel.
#include <array>
#include <cstdint>
#include <random>

#include "fpu_test_values.h"
#include "machine/fpu/fpu.h"

namespace ftvm::machine::fpu::test {

struct Layout32 {
  using Bits = std::uint32_t;
  static constexpr int kFracBits = 23;
  static constexpr int kMaxBiased = 255;
  static constexpr std::array<Bits, 12> kSpecials = {kPosZero32,  kNegZero32,   kPosInf32,    kNegInf32,
                                                     kQNan32,     kSNan32,      kMinSub32,    kMaxSub32,
                                                     kMinNorm32,  kMaxFinite32, kOne32,       0x80800000u};
};

struct Layout64 {
  using Bits = std::uint64_t;
  static constexpr int kFracBits = 52;
  static constexpr int kMaxBiased = 2047;
  static constexpr std::array<Bits, 12> kSpecials = {kPosZero64, kNegZero64,   kPosInf64, kNegInf64,
                                                     kQNan64,    kSNan64,      kMinSub64, kMaxSub64,
                                                     kMinNorm64, kMaxFinite64, kOne64,    0x8010000000000000ull};
};

template <typename L>
class FloatSource {
 public:
  using Bits = typename L::Bits;
  explicit FloatSource(std::uint64_t seed) : rng_(seed) {}

  Bits next() {
    switch (below(16)) {
      case 0: return L::kSpecials[below(L::kSpecials.size())];
      case 1:
      case 2: return compose(below(3), significand());  // subnormal or barely normal
      case 3: return compose(L::kMaxBiased - 1 - below(3), significand());
      default: return compose(L::kMaxBiased / 2 - 40 + below(80), significand());
    }
  }

  // A value near `a` (same exponent give or take a few, random low bits), with
  // either sign, so that a + b and a*b + c cancel heavily.
  Bits near(Bits a) {
    const int biased = static_cast<int>((a >> L::kFracBits) & L::kMaxBiased);
    int e = biased + static_cast<int>(below(7)) - 3;
    if (e < 0) e = 0;
    if (e > L::kMaxBiased - 1) e = L::kMaxBiased - 1;
    const Bits frac_mask = (Bits{1} << L::kFracBits) - 1;
    const Bits low_mask = (Bits{1} << below(L::kFracBits)) - 1;
    const Bits frac = ((a & frac_mask) & ~low_mask) | (static_cast<Bits>(rng_()) & low_mask);
    return compose(static_cast<std::uint64_t>(e), frac);
  }

  std::uint64_t below(std::uint64_t n) { return rng_() % n; }
  std::uint64_t raw() { return rng_(); }

 private:
  Bits significand() {
    const Bits frac_mask = (Bits{1} << L::kFracBits) - 1;
    const auto r = static_cast<Bits>(rng_());
    switch (below(4)) {
      case 0: return r & frac_mask & ~((Bits{1} << below(L::kFracBits)) - 1);  // few low bits set
      case 1: return frac_mask & ~((Bits{1} << below(L::kFracBits)) - 1);     // run of ones
      default: return r & frac_mask;
    }
  }

  Bits compose(std::uint64_t biased_exp, Bits frac) {
    const Bits sign = static_cast<Bits>(rng_() & 1) << (sizeof(Bits) * 8 - 1);
    return sign | (static_cast<Bits>(biased_exp) << L::kFracBits) | frac;
  }

  std::mt19937_64 rng_;
};

}  // namespace ftvm::machine::fpu::test
