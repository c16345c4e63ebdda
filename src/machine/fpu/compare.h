#pragma once
// Comparisons, minimumNumber/maximumNumber and fclass. None of these round;
// they differ only in which NaNs raise NV.
#include <cstdint>

#include "machine/fpu/format.h"
#include "machine/fpu/fpu.h"

namespace ftvm::machine::fpu::detail {

// Total order on non-NaN values that puts -0 before +0 (what fmin/fmax need).
template <typename F>
constexpr bool ordered_before(typename F::Bits a, typename F::Bits b) {
  const bool neg_a = sign_of<F>(a);
  if (neg_a != sign_of<F>(b)) return neg_a;
  return neg_a ? a > b : a < b;
}

template <typename F>
constexpr bool both_zero(typename F::Bits a, typename F::Bits b) {
  return is_zero<F>(a) && is_zero<F>(b);
}

// feq: quiet, NV only for signaling NaNs.
template <typename F>
bool equal(typename F::Bits a, typename F::Bits b, std::uint8_t& flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) {
    if (is_signaling_nan<F>(a) || is_signaling_nan<F>(b)) flags |= kInvalid;
    return false;
  }
  return a == b || both_zero<F>(a, b);
}

// flt/fle: signaling, NV for any NaN.
template <typename F>
bool less(typename F::Bits a, typename F::Bits b, std::uint8_t& flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) {
    flags |= kInvalid;
    return false;
  }
  return !both_zero<F>(a, b) && ordered_before<F>(a, b);
}

template <typename F>
bool less_equal(typename F::Bits a, typename F::Bits b, std::uint8_t& flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) {
    flags |= kInvalid;
    return false;
  }
  return a == b || both_zero<F>(a, b) || ordered_before<F>(a, b);
}

// 754-2019 minimumNumber (want_max false) / maximumNumber (want_max true):
// a NaN operand is ignored unless both are NaN.
template <typename F>
typename F::Bits min_max(typename F::Bits a, typename F::Bits b, bool want_max, std::uint8_t& flags) {
  if (is_signaling_nan<F>(a) || is_signaling_nan<F>(b)) flags |= kInvalid;
  const bool nan_a = is_nan<F>(a);
  const bool nan_b = is_nan<F>(b);
  if (nan_a && nan_b) return F::kCanonicalNan;
  if (nan_a) return b;
  if (nan_b) return a;
  return ordered_before<F>(a, b) != want_max ? a : b;
}

// fclass: exactly one of ten bits.
template <typename F>
std::uint32_t classify(typename F::Bits a) {
  const bool negative = sign_of<F>(a);
  if (is_nan<F>(a)) return is_signaling_nan<F>(a) ? 1u << 8 : 1u << 9;
  if (is_inf<F>(a)) return negative ? 1u << 0 : 1u << 7;
  if (is_zero<F>(a)) return negative ? 1u << 3 : 1u << 4;
  if (biased_exp_of<F>(a) == 0) return negative ? 1u << 2 : 1u << 5;
  return negative ? 1u << 1 : 1u << 6;
}

}  // namespace ftvm::machine::fpu::detail
