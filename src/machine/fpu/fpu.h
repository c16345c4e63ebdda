#pragma once
// IEEE-754 binary32/binary64 arithmetic exactly as RISC-V F and D specify it:
// five rounding modes, the five fflags, canonical NaNs, saturating
// conversions. Results are bit-identical on every host: they never depend on
// the host FPU's mode or on the compiler. Values travel as raw bits; NaN-boxing
// of single-precision values in 64-bit registers is the CPU's business.
#include <cstdint>

namespace ftvm::machine::fpu {

enum class Rounding : std::uint8_t { kRne = 0, kRtz = 1, kRdn = 2, kRup = 3, kRmm = 4 };

// fflags bits, accumulated (OR-ed) into `flags` by every operation.
inline constexpr std::uint8_t kInexact = 1 << 0;    // NX
inline constexpr std::uint8_t kUnderflow = 1 << 1;  // UF
inline constexpr std::uint8_t kOverflow = 1 << 2;   // OF
inline constexpr std::uint8_t kDivByZero = 1 << 3;  // DZ
inline constexpr std::uint8_t kInvalid = 1 << 4;    // NV

inline constexpr std::uint32_t kCanonicalNan32 = 0x7fc00000u;
inline constexpr std::uint64_t kCanonicalNan64 = 0x7ff8000000000000ull;

// ---- binary32 ----
std::uint32_t f32_add(std::uint32_t a, std::uint32_t b, Rounding rm, std::uint8_t& flags);
std::uint32_t f32_sub(std::uint32_t a, std::uint32_t b, Rounding rm, std::uint8_t& flags);
std::uint32_t f32_mul(std::uint32_t a, std::uint32_t b, Rounding rm, std::uint8_t& flags);
std::uint32_t f32_div(std::uint32_t a, std::uint32_t b, Rounding rm, std::uint8_t& flags);
std::uint32_t f32_sqrt(std::uint32_t a, Rounding rm, std::uint8_t& flags);
// (a*b)+c with one rounding. fmsub = fma(a,b,-c), fnmsub = fma(-a,b,c),
// fnmadd = fma(-a,b,-c): the CPU flips sign bits before calling.
std::uint32_t f32_fma(std::uint32_t a, std::uint32_t b, std::uint32_t c, Rounding rm, std::uint8_t& flags);
std::uint32_t f32_min(std::uint32_t a, std::uint32_t b, std::uint8_t& flags);  // fmin.s (754-2019 minimumNumber)
std::uint32_t f32_max(std::uint32_t a, std::uint32_t b, std::uint8_t& flags);
bool f32_eq(std::uint32_t a, std::uint32_t b, std::uint8_t& flags);  // quiet
bool f32_lt(std::uint32_t a, std::uint32_t b, std::uint8_t& flags);  // signaling
bool f32_le(std::uint32_t a, std::uint32_t b, std::uint8_t& flags);  // signaling
std::uint32_t f32_classify(std::uint32_t a);                         // fclass.s bit mask
std::int32_t f32_to_i32(std::uint32_t a, Rounding rm, std::uint8_t& flags);
std::uint32_t f32_to_u32(std::uint32_t a, Rounding rm, std::uint8_t& flags);
std::int64_t f32_to_i64(std::uint32_t a, Rounding rm, std::uint8_t& flags);
std::uint64_t f32_to_u64(std::uint32_t a, Rounding rm, std::uint8_t& flags);
std::uint32_t i32_to_f32(std::int32_t v, Rounding rm, std::uint8_t& flags);
std::uint32_t u32_to_f32(std::uint32_t v, Rounding rm, std::uint8_t& flags);
std::uint32_t i64_to_f32(std::int64_t v, Rounding rm, std::uint8_t& flags);
std::uint32_t u64_to_f32(std::uint64_t v, Rounding rm, std::uint8_t& flags);

// ---- binary64 ----
std::uint64_t f64_add(std::uint64_t a, std::uint64_t b, Rounding rm, std::uint8_t& flags);
std::uint64_t f64_sub(std::uint64_t a, std::uint64_t b, Rounding rm, std::uint8_t& flags);
std::uint64_t f64_mul(std::uint64_t a, std::uint64_t b, Rounding rm, std::uint8_t& flags);
std::uint64_t f64_div(std::uint64_t a, std::uint64_t b, Rounding rm, std::uint8_t& flags);
std::uint64_t f64_sqrt(std::uint64_t a, Rounding rm, std::uint8_t& flags);
std::uint64_t f64_fma(std::uint64_t a, std::uint64_t b, std::uint64_t c, Rounding rm, std::uint8_t& flags);
std::uint64_t f64_min(std::uint64_t a, std::uint64_t b, std::uint8_t& flags);
std::uint64_t f64_max(std::uint64_t a, std::uint64_t b, std::uint8_t& flags);
bool f64_eq(std::uint64_t a, std::uint64_t b, std::uint8_t& flags);
bool f64_lt(std::uint64_t a, std::uint64_t b, std::uint8_t& flags);
bool f64_le(std::uint64_t a, std::uint64_t b, std::uint8_t& flags);
std::uint32_t f64_classify(std::uint64_t a);
std::int32_t f64_to_i32(std::uint64_t a, Rounding rm, std::uint8_t& flags);
std::uint32_t f64_to_u32(std::uint64_t a, Rounding rm, std::uint8_t& flags);
std::int64_t f64_to_i64(std::uint64_t a, Rounding rm, std::uint8_t& flags);
std::uint64_t f64_to_u64(std::uint64_t a, Rounding rm, std::uint8_t& flags);
std::uint64_t i32_to_f64(std::int32_t v, Rounding rm, std::uint8_t& flags);
std::uint64_t u32_to_f64(std::uint32_t v, Rounding rm, std::uint8_t& flags);
std::uint64_t i64_to_f64(std::int64_t v, Rounding rm, std::uint8_t& flags);
std::uint64_t u64_to_f64(std::uint64_t v, Rounding rm, std::uint8_t& flags);

// ---- conversions between formats ----
std::uint64_t f32_to_f64(std::uint32_t a, std::uint8_t& flags);
std::uint32_t f64_to_f32(std::uint64_t a, Rounding rm, std::uint8_t& flags);

}  // namespace ftvm::machine::fpu
