// The binary32 (F extension) entry points of fpu.h: the host fast path
// where it provably agrees, otherwise the integer soft-float.
#include "machine/fpu/arithmetic.h"
#include "machine/fpu/compare.h"
#include "machine/fpu/fast_path.h"
#include "machine/fpu/format.h"
#include "machine/fpu/fpu.h"
#include "machine/fpu/int_convert.h"

namespace ftvm::machine::fpu {

using detail::Binary32;

std::uint32_t f32_add(std::uint32_t a, std::uint32_t b, Rounding rm, std::uint8_t& flags) {
  if (std::uint32_t r = 0; detail::fast_add<Binary32>(a, b, rm, r, flags)) return r;
  return detail::add<Binary32>(a, b, rm, flags);
}
std::uint32_t f32_sub(std::uint32_t a, std::uint32_t b, Rounding rm, std::uint8_t& flags) {
  const std::uint32_t minus_b = b ^ Binary32::kSignMask;
  if (std::uint32_t r = 0; detail::fast_add<Binary32>(a, minus_b, rm, r, flags)) return r;
  return detail::add<Binary32>(a, minus_b, rm, flags);
}
std::uint32_t f32_mul(std::uint32_t a, std::uint32_t b, Rounding rm, std::uint8_t& flags) {
  if (std::uint32_t r = 0; detail::fast_mul<Binary32>(a, b, rm, r, flags)) return r;
  return detail::mul<Binary32>(a, b, rm, flags);
}
std::uint32_t f32_div(std::uint32_t a, std::uint32_t b, Rounding rm, std::uint8_t& flags) {
  if (std::uint32_t r = 0; detail::fast_div<Binary32>(a, b, rm, r, flags)) return r;
  return detail::div<Binary32>(a, b, rm, flags);
}
std::uint32_t f32_sqrt(std::uint32_t a, Rounding rm, std::uint8_t& flags) {
  if (std::uint32_t r = 0; detail::fast_sqrt<Binary32>(a, rm, r, flags)) return r;
  return detail::sqrt<Binary32>(a, rm, flags);
}
std::uint32_t f32_fma(std::uint32_t a, std::uint32_t b, std::uint32_t c, Rounding rm, std::uint8_t& flags) {
  if (std::uint32_t r = 0; detail::fast_fma<Binary32>(a, b, c, rm, r, flags)) return r;
  return detail::fma<Binary32>(a, b, c, rm, flags);
}
std::uint32_t f32_min(std::uint32_t a, std::uint32_t b, std::uint8_t& flags) {
  return detail::min_max<Binary32>(a, b, false, flags);
}
std::uint32_t f32_max(std::uint32_t a, std::uint32_t b, std::uint8_t& flags) {
  return detail::min_max<Binary32>(a, b, true, flags);
}
bool f32_eq(std::uint32_t a, std::uint32_t b, std::uint8_t& flags) { return detail::equal<Binary32>(a, b, flags); }
bool f32_lt(std::uint32_t a, std::uint32_t b, std::uint8_t& flags) { return detail::less<Binary32>(a, b, flags); }
bool f32_le(std::uint32_t a, std::uint32_t b, std::uint8_t& flags) {
  return detail::less_equal<Binary32>(a, b, flags);
}
std::uint32_t f32_classify(std::uint32_t a) { return detail::classify<Binary32>(a); }

std::int32_t f32_to_i32(std::uint32_t a, Rounding rm, std::uint8_t& flags) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(detail::to_integer<Binary32>(a, {true, 32}, rm, flags)));
}
std::uint32_t f32_to_u32(std::uint32_t a, Rounding rm, std::uint8_t& flags) {
  return static_cast<std::uint32_t>(detail::to_integer<Binary32>(a, {false, 32}, rm, flags));
}
std::int64_t f32_to_i64(std::uint32_t a, Rounding rm, std::uint8_t& flags) {
  return static_cast<std::int64_t>(detail::to_integer<Binary32>(a, {true, 64}, rm, flags));
}
std::uint64_t f32_to_u64(std::uint32_t a, Rounding rm, std::uint8_t& flags) {
  return detail::to_integer<Binary32>(a, {false, 64}, rm, flags);
}
std::uint32_t i32_to_f32(std::int32_t v, Rounding rm, std::uint8_t& flags) {
  return detail::from_integer<Binary32>(v < 0, detail::magnitude_of_signed(v), rm, flags);
}
std::uint32_t u32_to_f32(std::uint32_t v, Rounding rm, std::uint8_t& flags) {
  return detail::from_integer<Binary32>(false, v, rm, flags);
}
std::uint32_t i64_to_f32(std::int64_t v, Rounding rm, std::uint8_t& flags) {
  return detail::from_integer<Binary32>(v < 0, detail::magnitude_of_signed(v), rm, flags);
}
std::uint32_t u64_to_f32(std::uint64_t v, Rounding rm, std::uint8_t& flags) {
  return detail::from_integer<Binary32>(false, v, rm, flags);
}

}  // namespace ftvm::machine::fpu
