#pragma once
// add, mul, div, sqrt and fused multiply-add on decoded integer significands.
// Special operands (NaN, infinity, zero) are settled first; the finite core
// produces an exact or sticky-marked significand and hands it to round_pack.
#include <cstdint>
#include <utility>

#include "machine/fpu/format.h"
#include "machine/fpu/fpu.h"
#include "machine/fpu/round_pack.h"
#include "machine/fpu/wide_int.h"

namespace ftvm::machine::fpu::detail {

// Significands are aligned with their leading bit here: two below the top
// leaves room for a carry and keeps all of a 106-bit product exact.
inline constexpr int kAlignedLeadingBit = 125;

inline Scaled normalized(Scaled x, int leading_bit) {
  const int shift = leading_bit - (127 - leading_zeros(x.sig));
  x.sig <<= shift;
  x.exp -= shift;
  return x;
}

// Any NaN operand makes the result the canonical NaN; a signaling one also
// raises NV. Returns true when a NaN was present.
template <typename F>
bool any_nan(std::uint8_t& flags, typename F::Bits a, typename F::Bits b) {
  if (is_signaling_nan<F>(a) || is_signaling_nan<F>(b)) flags |= kInvalid;
  return is_nan<F>(a) || is_nan<F>(b);
}

// The sign of an exact zero sum of two values of the given signs: like signs
// keep theirs, unlike give +0 except when rounding down (754 section 6.3).
template <typename F>
constexpr typename F::Bits exact_zero_sum(bool neg_a, bool neg_b, Rounding rm) {
  return signed_zero<F>(neg_a == neg_b ? neg_a : rm == Rounding::kRdn);
}

// x + y for non-zero finite operands, rounded once.
template <typename F>
typename F::Bits add_finite(Scaled x, Scaled y, Rounding rm, std::uint8_t& flags) {
  x = normalized(x, kAlignedLeadingBit);
  y = normalized(y, kAlignedLeadingBit);
  if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) std::swap(x, y);
  // x now has the larger magnitude. Jamming y only loses bits when it lies
  // far below x, where at most one leading bit can cancel.
  y.sig = shift_right_jam(y.sig, x.exp - y.exp);
  if (x.negative == y.negative) return round_pack<F>(x.negative, x.exp, x.sig + y.sig, rm, flags);
  const u128 difference = x.sig - y.sig;
  if (difference == 0) return exact_zero_sum<F>(x.negative, y.negative, rm);
  return round_pack<F>(x.negative, x.exp, difference, rm, flags);
}

template <typename F>
typename F::Bits add(typename F::Bits a, typename F::Bits b, Rounding rm, std::uint8_t& flags) {
  if (any_nan<F>(flags, a, b)) return F::kCanonicalNan;
  if (is_inf<F>(a)) {
    if (is_inf<F>(b) && sign_of<F>(a) != sign_of<F>(b)) {
      flags |= kInvalid;
      return F::kCanonicalNan;
    }
    return a;
  }
  if (is_inf<F>(b)) return b;
  if (is_zero<F>(a) && is_zero<F>(b)) return exact_zero_sum<F>(sign_of<F>(a), sign_of<F>(b), rm);
  if (is_zero<F>(a)) return b;  // exact: no rounding, no flags
  if (is_zero<F>(b)) return a;
  return add_finite<F>(decode_finite<F>(a), decode_finite<F>(b), rm, flags);
}

template <typename F>
typename F::Bits mul(typename F::Bits a, typename F::Bits b, Rounding rm, std::uint8_t& flags) {
  if (any_nan<F>(flags, a, b)) return F::kCanonicalNan;
  const bool negative = sign_of<F>(a) != sign_of<F>(b);
  if (is_inf<F>(a) || is_inf<F>(b)) {
    if (is_zero<F>(a) || is_zero<F>(b)) {
      flags |= kInvalid;
      return F::kCanonicalNan;
    }
    return signed_inf<F>(negative);
  }
  if (is_zero<F>(a) || is_zero<F>(b)) return signed_zero<F>(negative);
  const Scaled x = decode_finite<F>(a);
  const Scaled y = decode_finite<F>(b);
  return round_pack<F>(negative, x.exp + y.exp, x.sig * y.sig, rm, flags);
}

template <typename F>
typename F::Bits div(typename F::Bits a, typename F::Bits b, Rounding rm, std::uint8_t& flags) {
  if (any_nan<F>(flags, a, b)) return F::kCanonicalNan;
  const bool negative = sign_of<F>(a) != sign_of<F>(b);
  if (is_inf<F>(a)) {
    if (is_inf<F>(b)) {
      flags |= kInvalid;
      return F::kCanonicalNan;
    }
    return signed_inf<F>(negative);
  }
  if (is_inf<F>(b)) return signed_zero<F>(negative);
  if (is_zero<F>(b)) {
    if (is_zero<F>(a)) {
      flags |= kInvalid;
      return F::kCanonicalNan;
    }
    flags |= kDivByZero;
    return signed_inf<F>(negative);
  }
  if (is_zero<F>(a)) return signed_zero<F>(negative);
  // A 126-bit dividend over a 64-bit divisor gives a quotient of at least
  // 62 bits, more than precision + 2; the remainder becomes the sticky bit.
  const Scaled x = normalized(decode_finite<F>(a), kAlignedLeadingBit);
  const Scaled y = normalized(decode_finite<F>(b), 63);
  const u128 quotient = x.sig / y.sig;
  const bool remainder = quotient * y.sig != x.sig;
  return round_pack<F>(negative, x.exp - y.exp, quotient | (remainder ? 1 : 0), rm, flags);
}

template <typename F>
typename F::Bits sqrt(typename F::Bits a, Rounding rm, std::uint8_t& flags) {
  if (any_nan<F>(flags, a, a)) return F::kCanonicalNan;
  if (is_zero<F>(a)) return a;  // sqrt(-0) is -0
  if (sign_of<F>(a)) {
    flags |= kInvalid;
    return F::kCanonicalNan;
  }
  if (is_inf<F>(a)) return a;
  // Make the exponent even so it halves exactly; a 125/126-bit radicand
  // gives a root of at least 62 bits, and a non-zero remainder is sticky.
  Scaled x = normalized(decode_finite<F>(a), kAlignedLeadingBit);
  if (x.exp % 2 != 0) {
    x.sig <<= 1;
    x.exp -= 1;
  }
  const SquareRoot r = integer_sqrt(x.sig);
  return round_pack<F>(false, x.exp / 2, u128{r.root} | (r.remainder != 0 ? 1 : 0), rm, flags);
}

template <typename F>
typename F::Bits fma(typename F::Bits a, typename F::Bits b, typename F::Bits c, Rounding rm,
                     std::uint8_t& flags) {
  // inf * 0 is invalid even when the addend is a quiet NaN (RISC-V F spec).
  if ((is_inf<F>(a) && is_zero<F>(b)) || (is_zero<F>(a) && is_inf<F>(b))) {
    flags |= kInvalid;
    return F::kCanonicalNan;
  }
  const bool nan_ab = any_nan<F>(flags, a, b);
  if (any_nan<F>(flags, c, c) || nan_ab) return F::kCanonicalNan;
  const bool product_negative = sign_of<F>(a) != sign_of<F>(b);
  if (is_inf<F>(a) || is_inf<F>(b)) {
    if (is_inf<F>(c) && sign_of<F>(c) != product_negative) {
      flags |= kInvalid;
      return F::kCanonicalNan;
    }
    return signed_inf<F>(product_negative);
  }
  if (is_inf<F>(c)) return c;
  if (is_zero<F>(a) || is_zero<F>(b)) {
    if (is_zero<F>(c)) return exact_zero_sum<F>(product_negative, sign_of<F>(c), rm);
    return c;
  }
  const Scaled x = decode_finite<F>(a);
  const Scaled y = decode_finite<F>(b);
  const Scaled product{product_negative, x.exp + y.exp, x.sig * y.sig};
  if (is_zero<F>(c)) return round_pack<F>(product.negative, product.exp, product.sig, rm, flags);
  return add_finite<F>(product, decode_finite<F>(c), rm, flags);
}

}  // namespace ftvm::machine::fpu::detail
