// The binary64 (D extension) entry points of fpu.h: the host fast path
// where it provably agrees, otherwise the integer soft-float.
#include "machine/fpu/arithmetic.h"
#include "machine/fpu/compare.h"
#include "machine/fpu/fast_path.h"
#include "machine/fpu/format.h"
#include "machine/fpu/fpu.h"
#include "machine/fpu/int_convert.h"

namespace ftvm::machine::fpu {

using detail::Binary64;

std::uint64_t f64_add(std::uint64_t a, std::uint64_t b, Rounding rm, std::uint8_t& flags) {
  if (std::uint64_t r = 0; detail::fast_add<Binary64>(a, b, rm, r, flags)) return r;
  return detail::add<Binary64>(a, b, rm, flags);
}
std::uint64_t f64_sub(std::uint64_t a, std::uint64_t b, Rounding rm, std::uint8_t& flags) {
  const std::uint64_t minus_b = b ^ Binary64::kSignMask;
  if (std::uint64_t r = 0; detail::fast_add<Binary64>(a, minus_b, rm, r, flags)) return r;
  return detail::add<Binary64>(a, minus_b, rm, flags);
}
std::uint64_t f64_mul(std::uint64_t a, std::uint64_t b, Rounding rm, std::uint8_t& flags) {
  if (std::uint64_t r = 0; detail::fast_mul<Binary64>(a, b, rm, r, flags)) return r;
  return detail::mul<Binary64>(a, b, rm, flags);
}
std::uint64_t f64_div(std::uint64_t a, std::uint64_t b, Rounding rm, std::uint8_t& flags) {
  if (std::uint64_t r = 0; detail::fast_div<Binary64>(a, b, rm, r, flags)) return r;
  return detail::div<Binary64>(a, b, rm, flags);
}
std::uint64_t f64_sqrt(std::uint64_t a, Rounding rm, std::uint8_t& flags) {
  if (std::uint64_t r = 0; detail::fast_sqrt<Binary64>(a, rm, r, flags)) return r;
  return detail::sqrt<Binary64>(a, rm, flags);
}
std::uint64_t f64_fma(std::uint64_t a, std::uint64_t b, std::uint64_t c, Rounding rm, std::uint8_t& flags) {
  if (std::uint64_t r = 0; detail::fast_fma<Binary64>(a, b, c, rm, r, flags)) return r;
  return detail::fma<Binary64>(a, b, c, rm, flags);
}
std::uint64_t f64_min(std::uint64_t a, std::uint64_t b, std::uint8_t& flags) {
  return detail::min_max<Binary64>(a, b, false, flags);
}
std::uint64_t f64_max(std::uint64_t a, std::uint64_t b, std::uint8_t& flags) {
  return detail::min_max<Binary64>(a, b, true, flags);
}
bool f64_eq(std::uint64_t a, std::uint64_t b, std::uint8_t& flags) { return detail::equal<Binary64>(a, b, flags); }
bool f64_lt(std::uint64_t a, std::uint64_t b, std::uint8_t& flags) { return detail::less<Binary64>(a, b, flags); }
bool f64_le(std::uint64_t a, std::uint64_t b, std::uint8_t& flags) {
  return detail::less_equal<Binary64>(a, b, flags);
}
std::uint32_t f64_classify(std::uint64_t a) { return detail::classify<Binary64>(a); }

std::int32_t f64_to_i32(std::uint64_t a, Rounding rm, std::uint8_t& flags) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(detail::to_integer<Binary64>(a, {true, 32}, rm, flags)));
}
std::uint32_t f64_to_u32(std::uint64_t a, Rounding rm, std::uint8_t& flags) {
  return static_cast<std::uint32_t>(detail::to_integer<Binary64>(a, {false, 32}, rm, flags));
}
std::int64_t f64_to_i64(std::uint64_t a, Rounding rm, std::uint8_t& flags) {
  return static_cast<std::int64_t>(detail::to_integer<Binary64>(a, {true, 64}, rm, flags));
}
std::uint64_t f64_to_u64(std::uint64_t a, Rounding rm, std::uint8_t& flags) {
  return detail::to_integer<Binary64>(a, {false, 64}, rm, flags);
}
std::uint64_t i32_to_f64(std::int32_t v, Rounding rm, std::uint8_t& flags) {
  return detail::from_integer<Binary64>(v < 0, detail::magnitude_of_signed(v), rm, flags);
}
std::uint64_t u32_to_f64(std::uint32_t v, Rounding rm, std::uint8_t& flags) {
  return detail::from_integer<Binary64>(false, v, rm, flags);
}
std::uint64_t i64_to_f64(std::int64_t v, Rounding rm, std::uint8_t& flags) {
  return detail::from_integer<Binary64>(v < 0, detail::magnitude_of_signed(v), rm, flags);
}
std::uint64_t u64_to_f64(std::uint64_t v, Rounding rm, std::uint8_t& flags) {
  return detail::from_integer<Binary64>(false, v, rm, flags);
}

}  // namespace ftvm::machine::fpu
