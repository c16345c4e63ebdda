// Special operands for add/sub/mul/div/sqrt/fma: NaNs, infinities, zeros and
// the invalid / divide-by-zero cases the F and D chapters call out.
#include <gtest/gtest.h>

#include "fpu_test_values.h"
#include "machine/fpu/fpu.h"

namespace ftvm::machine::fpu::test {
namespace {

constexpr auto R = Rounding::kRne;
using O32 = Outcome<std::uint32_t>;
using O64 = Outcome<std::uint64_t>;

TEST(FpuAdd, NanOperandsGiveCanonicalNanAndSignalOnlyForSignaling) {
  EXPECT_EQ(outcome(f64_add, kQNan64, kOne64, R), (O64{kCanonicalNan64, kNoFlags}));
  EXPECT_EQ(outcome(f64_add, kOne64, kSNan64, R), (O64{kCanonicalNan64, kInvalid}));
  EXPECT_EQ(outcome(f32_add, kQNan32 | 0x80000000u, kOne32, R), (O32{kCanonicalNan32, kNoFlags}));
  EXPECT_EQ(outcome(f32_sub, kSNan32, kQNan32, R), (O32{kCanonicalNan32, kInvalid}));
}

TEST(FpuAdd, OppositeInfinitiesAreInvalid) {
  EXPECT_EQ(outcome(f64_add, kPosInf64, kNegInf64, R), (O64{kCanonicalNan64, kInvalid}));
  EXPECT_EQ(outcome(f64_sub, kPosInf64, kPosInf64, R), (O64{kCanonicalNan64, kInvalid}));
  EXPECT_EQ(outcome(f32_add, kNegInf32, kPosInf32, R), (O32{kCanonicalNan32, kInvalid}));
  EXPECT_EQ(outcome(f64_add, kPosInf64, kPosInf64, R), (O64{kPosInf64, kNoFlags}));
  EXPECT_EQ(outcome(f64_add, kNegInf64, kMaxFinite64, R), (O64{kNegInf64, kNoFlags}));
}

TEST(FpuAdd, ExactZeroSumIsPositiveExceptWhenRoundingDown) {
  for (Rounding rm : kAllModes) {
    const std::uint64_t expected64 = rm == Rounding::kRdn ? kNegZero64 : kPosZero64;
    const std::uint32_t expected32 = rm == Rounding::kRdn ? kNegZero32 : kPosZero32;
    EXPECT_EQ(outcome(f64_sub, kOne64, kOne64, rm), (O64{expected64, kNoFlags}));
    EXPECT_EQ(outcome(f64_add, kPosZero64, kNegZero64, rm), (O64{expected64, kNoFlags}));
    EXPECT_EQ(outcome(f32_add, kMinSub32, kMinSub32 | 0x80000000u, rm), (O32{expected32, kNoFlags}));
    // Like-signed zeros keep their sign in every mode.
    EXPECT_EQ(outcome(f64_add, kNegZero64, kNegZero64, rm), (O64{kNegZero64, kNoFlags}));
    EXPECT_EQ(outcome(f32_sub, kNegZero32, kPosZero32, rm), (O32{kNegZero32, kNoFlags}));
  }
}

TEST(FpuAdd, AddingZeroIsExactEvenForSubnormals) {
  EXPECT_EQ(outcome(f64_add, kMinSub64, kNegZero64, R), (O64{kMinSub64, kNoFlags}));
  EXPECT_EQ(outcome(f32_add, kPosZero32, kMaxSub32, R), (O32{kMaxSub32, kNoFlags}));
  // Subnormal + subnormal is exact: tiny but not inexact, so no UF.
  EXPECT_EQ(outcome(f64_add, kMinSub64, kMinSub64, R), (O64{2, kNoFlags}));
  EXPECT_EQ(outcome(f32_add, kMaxSub32, kMinSub32, R), (O32{kMinNorm32, kNoFlags}));
}

TEST(FpuMul, ZeroTimesInfinityIsInvalid) {
  EXPECT_EQ(outcome(f64_mul, kPosZero64, kNegInf64, R), (O64{kCanonicalNan64, kInvalid}));
  EXPECT_EQ(outcome(f32_mul, kNegInf32, kNegZero32, R), (O32{kCanonicalNan32, kInvalid}));
}

TEST(FpuMul, SignsOfZeroAndInfinityResults) {
  EXPECT_EQ(outcome(f64_mul, bits(-2.0), kPosZero64, R), (O64{kNegZero64, kNoFlags}));
  EXPECT_EQ(outcome(f64_mul, kNegInf64, bits(-0.5), R), (O64{kPosInf64, kNoFlags}));
  EXPECT_EQ(outcome(f32_mul, kPosInf32, bits(-3.0f), R), (O32{kNegInf32, kNoFlags}));
  EXPECT_EQ(outcome(f32_mul, kSNan32, kPosZero32, R), (O32{kCanonicalNan32, kInvalid}));
}

TEST(FpuDiv, DivisionByZeroRaisesDzOnlyForFiniteNonZeroDividends) {
  EXPECT_EQ(outcome(f64_div, kOne64, kPosZero64, R), (O64{kPosInf64, kDivByZero}));
  EXPECT_EQ(outcome(f64_div, kOne64, kNegZero64, R), (O64{kNegInf64, kDivByZero}));
  EXPECT_EQ(outcome(f32_div, kMinSub32 | 0x80000000u, kPosZero32, R), (O32{kNegInf32, kDivByZero}));
  EXPECT_EQ(outcome(f64_div, kPosInf64, kPosZero64, R), (O64{kPosInf64, kNoFlags}));
  EXPECT_EQ(outcome(f64_div, kPosZero64, kPosZero64, R), (O64{kCanonicalNan64, kInvalid}));
  EXPECT_EQ(outcome(f32_div, kNegZero32, kPosZero32, R), (O32{kCanonicalNan32, kInvalid}));
  EXPECT_EQ(outcome(f64_div, kNegInf64, kPosInf64, R), (O64{kCanonicalNan64, kInvalid}));
  EXPECT_EQ(outcome(f64_div, kOne64, kNegInf64, R), (O64{kNegZero64, kNoFlags}));
  EXPECT_EQ(outcome(f64_div, kNegZero64, kOne64, R), (O64{kNegZero64, kNoFlags}));
}

TEST(FpuDiv, InexactQuotientRaisesNx) {
  EXPECT_EQ(outcome(f64_div, kOne64, bits(3.0), Rounding::kRne), (O64{bits(1.0 / 3.0), kInexact}));
  EXPECT_EQ(outcome(f64_div, bits(6.0), bits(-3.0), Rounding::kRne), (O64{bits(-2.0), kNoFlags}));
  // 1/3 = 0x3fd5555555555555 + 1/3 ulp: rounding up only in RUP.
  EXPECT_EQ(outcome(f64_div, kOne64, bits(3.0), Rounding::kRup), (O64{0x3fd5555555555556ull, kInexact}));
  EXPECT_EQ(outcome(f64_div, kOne64, bits(3.0), Rounding::kRmm), (O64{0x3fd5555555555555ull, kInexact}));
}

TEST(FpuSqrt, SpecialOperands) {
  for (Rounding rm : kAllModes) {
    EXPECT_EQ(outcome(f64_sqrt, kNegZero64, rm), (O64{kNegZero64, kNoFlags}));
    EXPECT_EQ(outcome(f32_sqrt, kNegZero32, rm), (O32{kNegZero32, kNoFlags}));
    EXPECT_EQ(outcome(f64_sqrt, kPosZero64, rm), (O64{kPosZero64, kNoFlags}));
  }
  EXPECT_EQ(outcome(f64_sqrt, bits(-1.0), R), (O64{kCanonicalNan64, kInvalid}));
  EXPECT_EQ(outcome(f32_sqrt, kMinSub32 | 0x80000000u, R), (O32{kCanonicalNan32, kInvalid}));
  EXPECT_EQ(outcome(f64_sqrt, kNegInf64, R), (O64{kCanonicalNan64, kInvalid}));
  EXPECT_EQ(outcome(f64_sqrt, kPosInf64, R), (O64{kPosInf64, kNoFlags}));
  EXPECT_EQ(outcome(f64_sqrt, kQNan64, R), (O64{kCanonicalNan64, kNoFlags}));
  EXPECT_EQ(outcome(f32_sqrt, kSNan32, R), (O32{kCanonicalNan32, kInvalid}));
}

TEST(FpuSqrt, ExactAndInexactRoots) {
  EXPECT_EQ(outcome(f64_sqrt, bits(4.0), R), (O64{bits(2.0), kNoFlags}));
  EXPECT_EQ(outcome(f32_sqrt, bits(0.25f), R), (O32{bits(0.5f), kNoFlags}));
  // sqrt(2^-1074) = 2^-537, exact although the operand is subnormal.
  EXPECT_EQ(outcome(f64_sqrt, kMinSub64, R), (O64{static_cast<std::uint64_t>(1023 - 537) << 52, kNoFlags}));
  // sqrt(2) = 1.0110101000001001111001100110011111110011101111001100|1001...
  EXPECT_EQ(outcome(f64_sqrt, bits(2.0), Rounding::kRne), (O64{0x3ff6a09e667f3bcdull, kInexact}));
  EXPECT_EQ(outcome(f64_sqrt, bits(2.0), Rounding::kRtz), (O64{0x3ff6a09e667f3bccull, kInexact}));
  EXPECT_EQ(outcome(f64_sqrt, bits(2.0), Rounding::kRup), (O64{0x3ff6a09e667f3bcdull, kInexact}));
}

TEST(FpuFma, ZeroTimesInfinityIsInvalidEvenWithQuietNanAddend) {
  EXPECT_EQ(outcome(f64_fma, kPosZero64, kPosInf64, kQNan64, R), (O64{kCanonicalNan64, kInvalid}));
  EXPECT_EQ(outcome(f32_fma, kNegInf32, kPosZero32, kQNan32, R), (O32{kCanonicalNan32, kInvalid}));
  EXPECT_EQ(outcome(f64_fma, kPosInf64, kPosZero64, kOne64, R), (O64{kCanonicalNan64, kInvalid}));
}

TEST(FpuFma, NanAndInfinityRules) {
  EXPECT_EQ(outcome(f64_fma, bits(2.0), bits(3.0), kQNan64, R), (O64{kCanonicalNan64, kNoFlags}));
  EXPECT_EQ(outcome(f64_fma, kSNan64, bits(3.0), kOne64, R), (O64{kCanonicalNan64, kInvalid}));
  EXPECT_EQ(outcome(f32_fma, kOne32, kOne32, kSNan32, R), (O32{kCanonicalNan32, kInvalid}));
  EXPECT_EQ(outcome(f64_fma, kPosInf64, kOne64, kNegInf64, R), (O64{kCanonicalNan64, kInvalid}));
  EXPECT_EQ(outcome(f64_fma, kNegInf64, kOne64, kNegInf64, R), (O64{kNegInf64, kNoFlags}));
  EXPECT_EQ(outcome(f64_fma, kMaxFinite64, kOne64, kNegInf64, R), (O64{kNegInf64, kNoFlags}));
}

TEST(FpuFma, ExactZeroResultSigns) {
  for (Rounding rm : kAllModes) {
    const std::uint64_t cancelled = rm == Rounding::kRdn ? kNegZero64 : kPosZero64;
    EXPECT_EQ(outcome(f64_fma, bits(2.0), bits(3.0), bits(-6.0), rm), (O64{cancelled, kNoFlags}));
    EXPECT_EQ(outcome(f64_fma, kPosZero64, bits(-1.0), kPosZero64, rm), (O64{cancelled, kNoFlags}));
    EXPECT_EQ(outcome(f64_fma, kNegZero64, kOne64, kNegZero64, rm), (O64{kNegZero64, kNoFlags}));
    EXPECT_EQ(outcome(f64_fma, kPosZero64, kOne64, kMinSub64, rm), (O64{kMinSub64, kNoFlags}));
    EXPECT_EQ(outcome(f32_fma, bits(-0.5f), bits(4.0f), bits(2.0f), rm),
              (O32{rm == Rounding::kRdn ? kNegZero32 : kPosZero32, kNoFlags}));
  }
}

TEST(FpuFma, RoundsOnlyOnce) {
  // (1+2^-30)^2 - 1 = 2^-29 + 2^-60 exactly; a separate multiply would lose
  // the 2^-60 term.
  const std::uint64_t a = bits(1.0 + 0x1p-30);
  EXPECT_EQ(outcome(f64_fma, a, a, bits(-1.0), R), (O64{bits(0x1p-29 + 0x1p-60), kNoFlags}));
  const std::uint32_t s = bits(1.0f + 0x1p-12f);
  EXPECT_EQ(outcome(f32_fma, s, s, bits(-1.0f), R), (O32{bits(0x1p-11f + 0x1p-24f), kNoFlags}));
}

TEST(FpuFlags, AccumulateWithoutClearing) {
  std::uint8_t flags = kDivByZero;
  f64_add(kOne64, bits(0x1p-60), Rounding::kRne, flags);
  EXPECT_EQ(flags, kDivByZero | kInexact);
  f64_add(kOne64, kOne64, Rounding::kRne, flags);
  EXPECT_EQ(flags, kDivByZero | kInexact);
}

}  // namespace
}  // namespace ftvm::machine::fpu::test

namespace ftvm::machine::fpu::test {
namespace {

// Reserved rounding-mode encodings (5, 6; 7 is DYN) never reach the FPU from
// a correct CPU, which raises illegal-instruction first; if one does, it
// must behave like RNE rather than anything undefined.
TEST(FpuReservedMode, BehavesAsRoundToNearestEven) {
  for (int raw : {5, 6, 7}) {
    const auto rm = static_cast<Rounding>(raw);
    EXPECT_EQ(outcome(f64_add, kOne64, bits(0x1p-53), rm), outcome(f64_add, kOne64, bits(0x1p-53), Rounding::kRne));
    EXPECT_EQ(outcome(f64_mul, kMaxFinite64, bits(2.0), rm), (Outcome<std::uint64_t>{kPosInf64, kOverflow | kInexact}));
    EXPECT_EQ(outcome(f64_sub, kOne64, kOne64, rm), (Outcome<std::uint64_t>{kPosZero64, kNoFlags}));
    EXPECT_EQ(outcome(f32_to_i32, bits(2.5f), rm), (Outcome<std::int32_t>{2, kInexact}));
  }
}

}  // namespace
}  // namespace ftvm::machine::fpu::test
