#pragma once
// Rounding: the one place where an exact (or sticky-marked) intermediate
// becomes a representable value, with NX/UF/OF decided as RISC-V requires
// (tininess is detected after rounding).
#include <algorithm>
#include <cstdint>

#include "machine/fpu/format.h"
#include "machine/fpu/fpu.h"
#include "machine/fpu/wide_int.h"

namespace ftvm::machine::fpu::detail {

// Where the discarded part of a value lies relative to half a unit in the
// last kept place.
enum class Discarded : std::uint8_t { kNothing, kBelowHalf, kHalf, kAboveHalf };

constexpr bool rounds_away(Rounding rm, bool negative, bool odd, Discarded d) {
  if (d == Discarded::kNothing) return false;
  switch (rm) {
    case Rounding::kRtz: return false;
    case Rounding::kRdn: return negative;
    case Rounding::kRup: return !negative;
    case Rounding::kRmm: return d != Discarded::kBelowHalf;
    case Rounding::kRne: break;
  }
  // RNE, and also any out-of-range mode value: the CPU rejects reserved
  // modes before calling, so this is only a safe default.
  return d == Discarded::kAboveHalf || (d == Discarded::kHalf && odd);
}

struct Rounded {
  u128 value;
  bool inexact;
};

// Rounds sig * 2^-drop to an integer (a magnitude with the given sign).
inline Rounded shift_right_round(u128 sig, int drop, bool negative, Rounding rm) {
  if (drop <= 0) return {sig, false};
  u128 kept = 0;
  Discarded d = Discarded::kNothing;
  if (drop > 128) {
    d = sig != 0 ? Discarded::kBelowHalf : Discarded::kNothing;
  } else {
    const u128 rest = drop == 128 ? sig : sig & ((u128{1} << drop) - 1);
    const u128 half = u128{1} << (drop - 1);
    kept = drop == 128 ? 0 : sig >> drop;
    if (rest == 0) {
      d = Discarded::kNothing;
    } else if (rest < half) {
      d = Discarded::kBelowHalf;
    } else {
      d = rest == half ? Discarded::kHalf : Discarded::kAboveHalf;
    }
  }
  const bool up = rounds_away(rm, negative, (kept & 1) != 0, d);
  return {kept + (up ? 1 : 0), d != Discarded::kNothing};
}

// The result of an overflow: infinity or the largest finite value, whichever
// the rounding direction points to.
template <typename F>
constexpr typename F::Bits overflow_result(bool negative, Rounding rm) {
  // Only rounding towards zero (RTZ, or the directed mode pointing back at
  // zero) stops at the largest finite value; reserved modes act as RNE.
  const bool towards_zero = rm == Rounding::kRtz || (rm == Rounding::kRdn && !negative) ||
                            (rm == Rounding::kRup && negative);
  const bool to_inf = !towards_zero;
  return signed_zero<F>(negative) | (to_inf ? F::kInfinity : F::kMaxFinite);
}

// Rounds sign * sig * 2^exp (sig != 0) to format F. If the caller truncated,
// it must have OR-ed a sticky 1 into bit 0 and kept at least F::kPrecision+2
// significant bits, so the sticky bit lies below the rounding position.
template <typename F>
typename F::Bits round_pack(bool negative, int exp, u128 sig, Rounding rm, std::uint8_t& flags) {
  using Bits = typename F::Bits;
  constexpr int kNormalDrop = 128 - F::kPrecision;
  const int lz = leading_zeros(sig);
  sig <<= lz;
  int e = exp - lz + 127;  // unbiased exponent of the leading bit
  const Bits sign = signed_zero<F>(negative);
  if (e >= F::kMinExp) {
    Rounded r = shift_right_round(sig, kNormalDrop, negative, rm);
    if ((r.value >> F::kPrecision) != 0) {  // rounded up to the next power of two
      r.value >>= 1;
      ++e;
    }
    if (e > F::kMaxExp) {
      flags |= kOverflow | kInexact;
      return overflow_result<F>(negative, rm);
    }
    if (r.inexact) flags |= kInexact;
    return sign | (static_cast<Bits>(e + F::kBias) << F::kFracBits) |
           (static_cast<Bits>(r.value) & F::kFracMask);
  }
  // Below the normal range: round at the fixed subnormal quantum. A carry
  // into the hidden bit correctly yields the smallest normal.
  const int drop = std::min(kNormalDrop + (F::kMinExp - e), 129);
  const Rounded r = shift_right_round(sig, drop, negative, rm);
  if (r.inexact) {
    flags |= kInexact;
    // Tiny after rounding unless rounding to full precision with an
    // unbounded exponent would reach the smallest normal.
    bool tiny = true;
    if (e == F::kMinExp - 1) {
      const Rounded unbounded = shift_right_round(sig, kNormalDrop, negative, rm);
      tiny = (unbounded.value >> F::kPrecision) == 0;
    }
    if (tiny) flags |= kUnderflow;
  }
  return sign | static_cast<Bits>(r.value);
}

}  // namespace ftvm::machine::fpu::detail
