#pragma once
// Bit layouts of IEEE-754 binary32 and binary64 and the small predicates the
// operations need. A finite value is decoded to sign * sig * 2^exp with an
// integer significand, which is what the integer-only arithmetic works on.
#include <cstdint>

#include "machine/fpu/wide_int.h"

namespace ftvm::machine::fpu::detail {

template <typename BitsT, int kExpBitsV, int kFracBitsV>
struct Format {
  using Bits = BitsT;
  static constexpr int kExpBits = kExpBitsV;
  static constexpr int kFracBits = kFracBitsV;
  static constexpr int kPrecision = kFracBits + 1;  // significand bits incl. the hidden one
  static constexpr int kBias = (1 << (kExpBits - 1)) - 1;
  static constexpr int kMinExp = 1 - kBias;  // unbiased exponent of the smallest normal
  static constexpr int kMaxExp = kBias;      // unbiased exponent of the largest finite
  static constexpr int kMaxBiasedExp = (1 << kExpBits) - 1;
  static constexpr Bits kSignMask = Bits{1} << (kExpBits + kFracBits);
  static constexpr Bits kFracMask = (Bits{1} << kFracBits) - 1;
  static constexpr Bits kQuietBit = Bits{1} << (kFracBits - 1);
  static constexpr Bits kInfinity = Bits{kMaxBiasedExp} << kFracBits;
  static constexpr Bits kMaxFinite = kInfinity - 1;
  static constexpr Bits kCanonicalNan = kInfinity | kQuietBit;
};

using Binary32 = Format<std::uint32_t, 8, 23>;
using Binary64 = Format<std::uint64_t, 11, 52>;

template <typename F>
constexpr bool sign_of(typename F::Bits a) {
  return (a & F::kSignMask) != 0;
}
template <typename F>
constexpr int biased_exp_of(typename F::Bits a) {
  return static_cast<int>((a >> F::kFracBits) & F::kMaxBiasedExp);
}
template <typename F>
constexpr typename F::Bits magnitude_of(typename F::Bits a) {
  return a & ~F::kSignMask;
}
template <typename F>
constexpr bool is_nan(typename F::Bits a) {
  return magnitude_of<F>(a) > F::kInfinity;
}
template <typename F>
constexpr bool is_signaling_nan(typename F::Bits a) {
  return is_nan<F>(a) && (a & F::kQuietBit) == 0;
}
template <typename F>
constexpr bool is_inf(typename F::Bits a) {
  return magnitude_of<F>(a) == F::kInfinity;
}
template <typename F>
constexpr bool is_zero(typename F::Bits a) {
  return magnitude_of<F>(a) == 0;
}
template <typename F>
constexpr typename F::Bits signed_zero(bool negative) {
  return negative ? F::kSignMask : 0;
}
template <typename F>
constexpr typename F::Bits signed_inf(bool negative) {
  return signed_zero<F>(negative) | F::kInfinity;
}

// sign * sig * 2^exp. sig may be any width; zero only where stated.
struct Scaled {
  bool negative;
  int exp;
  u128 sig;
};

// Decodes a finite value (normal, subnormal or zero).
template <typename F>
constexpr Scaled decode_finite(typename F::Bits a) {
  const int biased = biased_exp_of<F>(a);
  const auto frac = static_cast<u128>(a & F::kFracMask);
  if (biased == 0) return {sign_of<F>(a), F::kMinExp - F::kFracBits, frac};
  return {sign_of<F>(a), biased - F::kBias - F::kFracBits, frac | (u128{1} << F::kFracBits)};
}

}  // namespace ftvm::machine::fpu::detail
