#pragma once
// Conversions between floating point and 32/64-bit integers. Float-to-int
// saturates as the RISC-V F spec tabulates: NaN and too-large values give the
// largest integer, too-small values the smallest, with NV and never NX.
#include <cstdint>

#include "machine/fpu/format.h"
#include "machine/fpu/fpu.h"
#include "machine/fpu/round_pack.h"
#include "machine/fpu/wide_int.h"

namespace ftvm::machine::fpu::detail {

struct IntegerFormat {
  bool is_signed;
  int width;  // 32 or 64

  constexpr u128 largest() const { return (u128{1} << (is_signed ? width - 1 : width)) - 1; }
  // Magnitude of the most negative value (0 for unsigned).
  constexpr u128 most_negative_magnitude() const { return is_signed ? u128{1} << (width - 1) : 0; }
};

// Two's complement of sign * magnitude in 64 bits; 32-bit callers keep the
// low half.
constexpr std::uint64_t with_sign(bool negative, u128 magnitude) {
  const auto m = static_cast<std::uint64_t>(magnitude);
  return negative ? ~m + 1 : m;
}

template <typename F>
std::uint64_t to_integer(typename F::Bits a, IntegerFormat to, Rounding rm, std::uint8_t& flags) {
  const std::uint64_t high = with_sign(false, to.largest());
  const std::uint64_t low = with_sign(true, to.most_negative_magnitude());
  if (is_nan<F>(a)) {
    flags |= kInvalid;
    return high;
  }
  const bool negative = sign_of<F>(a);
  if (is_inf<F>(a)) {
    flags |= kInvalid;
    return negative ? low : high;
  }
  if (is_zero<F>(a)) return 0;
  const Scaled x = decode_finite<F>(a);
  // Any exponent above 64 is out of range for every target; capping it keeps
  // the shift defined.
  constexpr int kBeyondAnyInteger = 65;
  const Rounded r = x.exp >= 0 ? Rounded{x.sig << (x.exp < kBeyondAnyInteger ? x.exp : kBeyondAnyInteger), false}
                               : shift_right_round(x.sig, -x.exp, negative, rm);
  const u128 limit = negative ? to.most_negative_magnitude() : to.largest();
  if (r.value > limit) {
    flags |= kInvalid;
    return negative ? low : high;
  }
  if (r.inexact) flags |= kInexact;
  return with_sign(negative, r.value);
}

template <typename F>
typename F::Bits from_integer(bool negative, std::uint64_t magnitude, Rounding rm, std::uint8_t& flags) {
  if (magnitude == 0) return 0;  // +0 whatever the mode
  return round_pack<F>(negative, 0, magnitude, rm, flags);
}

// Magnitude of a signed value without overflowing on the minimum.
constexpr std::uint64_t magnitude_of_signed(std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  return v < 0 ? ~u + 1 : u;
}

}  // namespace ftvm::machine::fpu::detail
