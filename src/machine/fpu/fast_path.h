#pragma once
// Host-FPU shortcuts for the common case: RNE, finite normal operands and a
// normal result. They are taken only when the result *and* the flags are
// provably identical to the soft-float's:
//  * the host must be an x86-64 rounding to nearest-even (probed on every
//    call, so a stray fesetround elsewhere in the process merely disables
//    the shortcut) and, where an intermediate can be subnormal, with
//    flush-to-zero and denormals-are-zero off; IEEE-754 then fixes the
//    result bits. The fused multiply-add instead proves its result is the
//    RNE one unless NX is already sticky;
//  * the result must be normal and not the smallest normal, so OF/UF cannot
//    arise (a result equal to 2^emin may hide a tiny-after-rounding UF);
//  * NX is computed exactly, by an error-free transformation or an integer
//    check on the significands, never read from the host's flags, unless
//    the caller's flags already hold it (NX is sticky in fflags).
// Anything else returns false and the caller takes the soft path. No
// expression here pairs a multiply with an add, so FP contraction cannot fuse
// anything, and the project never builds with fast-math.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

#if defined(__x86_64__) && defined(__SSE2__)
#include <xmmintrin.h>
#define FTVM_FPU_HOST_FAST_PATH 1
#else
#define FTVM_FPU_HOST_FAST_PATH 0
#endif

#include "machine/fpu/format.h"
#include "machine/fpu/fpu.h"
#include "machine/fpu/wide_int.h"

namespace ftvm::machine::fpu::detail {

template <typename F>
using HostFloat = std::conditional_t<std::is_same_v<F, Binary64>, double, float>;

// True when host arithmetic rounds to nearest, ties to even. Asked with two
// probe additions on normal numbers rather than by reading MXCSR: STMXCSR goes
// through memory, and its store-forwarding stall cost more than the fused
// multiply-add it guarded. The empty asm hides the probe values from the
// compiler, so the probes run at run time, in whatever mode the host is in.
// For operands and results that are normal (all the shortcuts require both),
// the rounding mode is the only part of the host's state that matters.
inline bool host_rounds_to_nearest() {
#if FTVM_FPU_HOST_FAST_PATH
  double one = 1.0;
  double three_quarter_ulp = 0x1.8p-53;  // of 1.0: rounds away from 1 only to nearest or upward
  asm("" : "+x"(one), "+x"(three_quarter_ulp));
  return one + three_quarter_ulp == 1.0 + 0x1p-52 && -one - three_quarter_ulp == -1.0 - 0x1p-52;
#else
  return false;
#endif
}

// True when the host keeps subnormal values (neither flush-to-zero nor
// denormals-are-zero): needed where an intermediate may be subnormal even
// though operands and result are normal (the error term of TwoSum).
inline bool host_keeps_subnormals() {
#if FTVM_FPU_HOST_FAST_PATH
  constexpr unsigned kFlushToZero = 0x8000;       // MXCSR.FZ
  constexpr unsigned kDenormalsAreZero = 0x0040;  // MXCSR.DAZ
  return (_mm_getcsr() & (kFlushToZero | kDenormalsAreZero)) == 0;
#else
  return false;
#endif
}

// Normal, and not within a factor of two of overflow, so that intermediate
// values of the checks below stay finite.
template <typename F>
constexpr bool is_ordinary(typename F::Bits a) {
  const int e = biased_exp_of<F>(a);
  return e >= 1 && e <= F::kMaxBiasedExp - 2;
}

// Finite, normal and at least twice the smallest normal: a result in this
// range raised neither OF nor UF.
template <typename F>
constexpr bool is_safe_result(typename F::Bits r) {
  const int e = biased_exp_of<F>(r);
  return e >= 2 && e <= F::kMaxBiasedExp - 1;
}

template <typename F>
bool fast_add(typename F::Bits a, typename F::Bits b, Rounding rm, typename F::Bits& out, std::uint8_t& flags) {
  using T = HostFloat<F>;
  if (rm != Rounding::kRne || !is_ordinary<F>(a) || !is_ordinary<F>(b) || !host_rounds_to_nearest()) return false;
  const T x = std::bit_cast<T>(a);
  const T y = std::bit_cast<T>(b);
  const T s = x + y;
  const auto bits = std::bit_cast<typename F::Bits>(s);
  if (!is_safe_result<F>(bits)) return false;
  if ((flags & kInexact) != 0) {  // NX is sticky: once set, exactness no longer matters
    out = bits;
    return true;
  }
  if (!host_keeps_subnormals()) return false;
  // TwoSum (Knuth): under RNE, x + y - s is exactly (x - xv) + (y - yv).
  const T yv = s - x;
  const T xv = s - yv;
  const T error = (x - xv) + (y - yv);
  if (error != 0) flags |= kInexact;
  out = bits;
  return true;
}

// Whether sig_a * 2^shift == product exactly (shift may be out of range,
// in which case they cannot be equal).
inline bool equals_shifted(u128 sig, int shift, u128 product) {
  if (shift < 0 || shift > 127 - 53) return false;
  return (sig << shift) == product;
}

template <typename F>
bool fast_mul(typename F::Bits a, typename F::Bits b, Rounding rm, typename F::Bits& out, std::uint8_t& flags) {
  using T = HostFloat<F>;
  if (rm != Rounding::kRne || !is_ordinary<F>(a) || !is_ordinary<F>(b) || !host_rounds_to_nearest()) return false;
  const T p = std::bit_cast<T>(a) * std::bit_cast<T>(b);
  const auto bits = std::bit_cast<typename F::Bits>(p);
  if (!is_safe_result<F>(bits)) return false;
  if ((flags & kInexact) != 0) {  // sticky NX, as in fast_add
    out = bits;
    return true;
  }
  // Exact iff the full significand product fits in the result significand.
  const Scaled x = decode_finite<F>(a);
  const Scaled y = decode_finite<F>(b);
  const Scaled r = decode_finite<F>(bits);
  if (!equals_shifted(r.sig, r.exp - x.exp - y.exp, x.sig * y.sig)) flags |= kInexact;
  out = bits;
  return true;
}

template <typename F>
bool fast_div(typename F::Bits a, typename F::Bits b, Rounding rm, typename F::Bits& out, std::uint8_t& flags) {
  using T = HostFloat<F>;
  if (rm != Rounding::kRne || !is_ordinary<F>(a) || !is_ordinary<F>(b) || !host_rounds_to_nearest()) return false;
  const T q = std::bit_cast<T>(a) / std::bit_cast<T>(b);
  const auto bits = std::bit_cast<typename F::Bits>(q);
  if (!is_safe_result<F>(bits)) return false;
  if ((flags & kInexact) != 0) {  // sticky NX, as in fast_add
    out = bits;
    return true;
  }
  // Exact iff quotient * divisor reproduces the dividend.
  const Scaled x = decode_finite<F>(a);
  const Scaled y = decode_finite<F>(b);
  const Scaled r = decode_finite<F>(bits);
  if (!equals_shifted(x.sig, x.exp - r.exp - y.exp, r.sig * y.sig)) flags |= kInexact;
  out = bits;
  return true;
}

template <typename F>
bool fast_sqrt(typename F::Bits a, Rounding rm, typename F::Bits& out, std::uint8_t& flags) {
  using T = HostFloat<F>;
  if (rm != Rounding::kRne || sign_of<F>(a) || !is_ordinary<F>(a) || !host_rounds_to_nearest()) return false;
  // __builtin_sqrt is the correctly rounded hardware square root; the operand
  // is positive, so no errno path is involved.
  T root;
  if constexpr (std::is_same_v<T, double>) {
    root = __builtin_sqrt(std::bit_cast<T>(a));
  } else {
    root = __builtin_sqrtf(std::bit_cast<T>(a));
  }
  const auto bits = std::bit_cast<typename F::Bits>(root);
  if (!is_safe_result<F>(bits)) return false;
  if ((flags & kInexact) != 0) {  // sticky NX, as in fast_add
    out = bits;
    return true;
  }
  const Scaled x = decode_finite<F>(a);
  const Scaled r = decode_finite<F>(bits);
  if (!equals_shifted(x.sig, x.exp - 2 * r.exp, r.sig * r.sig)) flags |= kInexact;
  out = bits;
  return true;
}

// a*b + c rounded once in the host's current (checked) mode: the FMA3
// instruction when the CPU has it, else libm's fma, which is also correctly
// rounded (only slower).
#if FTVM_FPU_HOST_FAST_PATH
[[gnu::target("fma")]] inline double hardware_fma(double a, double b, double c) { return __builtin_fma(a, b, c); }
[[gnu::target("fma")]] inline float hardware_fma(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
#endif

template <typename T>
T host_fused_multiply_add(T a, T b, T c) {
#if FTVM_FPU_HOST_FAST_PATH
  if (__builtin_cpu_supports("fma")) return hardware_fma(a, b, c);
#endif
  return std::fma(a, b, c);
}

// Where the exact a*b + c lies relative to the host's result r, decided on
// integer significands aligned at the lowest of the four exponents.
// Undecidable (the caller falls back) when that alignment would not fit:
// every aligned term must stay below 2^126, so the signed sum, computed
// modulo 2^128, is the true residual.
// (A plain enum: returning three bools made the compiler assemble them in
// memory, and the store-forwarding stall cost a third of the FMA.)
enum class FusedResidual : std::uint8_t {
  kUndecidable,
  kExact,       // a*b + c == r
  kNearest,     // inexact, and r is a*b + c rounded to nearest, ties to even
  kNotNearest,  // the host rounded some other way
};

inline u128 signed_term(bool negative, u128 magnitude, int shift) {
  const u128 aligned = magnitude << shift;
  return negative ? ~aligned + 1 : aligned;
}

template <typename F>
FusedResidual fused_residual(typename F::Bits a, typename F::Bits b, typename F::Bits c, typename F::Bits r) {
  const Scaled x = decode_finite<F>(a);
  const Scaled y = decode_finite<F>(b);
  const Scaled z = decode_finite<F>(c);
  const Scaled w = decode_finite<F>(r);
  const int product_exp = x.exp + y.exp;
  const int lowest = std::min(std::min(product_exp, z.exp), w.exp);
  constexpr int kTermBits = 126;
  const int product_shift = product_exp - lowest;
  const int addend_shift = z.exp - lowest;
  const int result_shift = w.exp - lowest;
  if (product_shift > kTermBits - 2 * F::kPrecision || addend_shift > kTermBits - F::kPrecision ||
      result_shift > kTermBits - F::kPrecision) {
    return FusedResidual::kUndecidable;
  }
  const u128 residual = signed_term(x.negative != y.negative, x.sig * y.sig, product_shift) +
                        signed_term(z.negative, z.sig, addend_shift) + signed_term(!w.negative, w.sig, result_shift);
  if (residual == 0) return FusedResidual::kExact;
  // r is a normal number: one unit in its last place is 2^result_shift here.
  // Its neighbour on the side of the exact value is that far away, except
  // below a power of two, where the gap is half as wide. r's significand is
  // even at a power of two, so a tie goes to r there as well.
  const bool negative = (residual >> 127) != 0;
  const u128 magnitude = negative ? ~residual + 1 : residual;
  const u128 ulp = u128{1} << result_shift;
  if (magnitude >= ulp) return FusedResidual::kNotNearest;
  const bool toward_zero = negative != w.negative;
  const bool power_of_two = w.sig == (u128{1} << F::kFracBits);
  const auto nearest_if = [](bool c) { return c ? FusedResidual::kNearest : FusedResidual::kNotNearest; };
  if (power_of_two && toward_zero) return nearest_if((magnitude << 2) <= ulp);
  const u128 twice = magnitude << 1;
  return nearest_if(twice < ulp || (twice == ulp && (w.sig & 1) == 0));
}

// Unlike the other shortcuts this one does not read the host's rounding mode
// (reading MXCSR cost more than the whole fused multiply-add): the residual
// proves the host's result is the round-to-nearest-even one, whatever mode
// produced it. FTZ/DAZ cannot matter: operands are normal and a result that
// the host flushed to zero fails is_safe_result.
template <typename F>
bool fast_fma(typename F::Bits a, typename F::Bits b, typename F::Bits c, Rounding rm, typename F::Bits& out,
              std::uint8_t& flags) {
  using T = HostFloat<F>;
  if (rm != Rounding::kRne || !is_ordinary<F>(a) || !is_ordinary<F>(b) || !is_ordinary<F>(c)) return false;
  const T fused = host_fused_multiply_add(std::bit_cast<T>(a), std::bit_cast<T>(b), std::bit_cast<T>(c));
  const auto bits = std::bit_cast<typename F::Bits>(fused);
  if (!is_safe_result<F>(bits)) return false;
  // NX is sticky: once the caller's flags hold it, exactness no longer
  // matters, and the rounding-mode probe alone proves the result (the
  // residual below costs several times more).
  if ((flags & kInexact) != 0 && host_rounds_to_nearest()) {
    out = bits;
    return true;
  }
  const FusedResidual check = fused_residual<F>(a, b, c, bits);
  if (check != FusedResidual::kExact && check != FusedResidual::kNearest) return false;
  if (check == FusedResidual::kNearest) flags |= kInexact;
  out = bits;
  return true;
}

}  // namespace ftvm::machine::fpu::detail
