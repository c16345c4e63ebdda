// Conversions between binary32 and binary64 (fcvt.d.s, fcvt.s.d).
#include "machine/fpu/format.h"
#include "machine/fpu/fpu.h"
#include "machine/fpu/round_pack.h"

namespace ftvm::machine::fpu {

namespace {

// Re-encodes a value of format From in format To, rounding if it does not
// fit. NaNs become To's canonical NaN (NV if signaling).
template <typename To, typename From>
typename To::Bits convert(typename From::Bits a, Rounding rm, std::uint8_t& flags) {
  using detail::sign_of;
  if (detail::is_nan<From>(a)) {
    if (detail::is_signaling_nan<From>(a)) flags |= kInvalid;
    return To::kCanonicalNan;
  }
  if (detail::is_inf<From>(a)) return detail::signed_inf<To>(sign_of<From>(a));
  if (detail::is_zero<From>(a)) return detail::signed_zero<To>(sign_of<From>(a));
  const detail::Scaled x = detail::decode_finite<From>(a);
  return detail::round_pack<To>(x.negative, x.exp, x.sig, rm, flags);
}

}  // namespace

std::uint64_t f32_to_f64(std::uint32_t a, std::uint8_t& flags) {
  // Widening is exact, so the rounding mode never matters.
  return convert<detail::Binary64, detail::Binary32>(a, Rounding::kRne, flags);
}

std::uint32_t f64_to_f32(std::uint64_t a, Rounding rm, std::uint8_t& flags) {
  return convert<detail::Binary32, detail::Binary64>(a, rm, flags);
}

}  // namespace ftvm::machine::fpu
