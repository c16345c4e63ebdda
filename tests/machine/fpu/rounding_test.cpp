// Halfway cases, overflow and underflow in every rounding mode. Expected
// values are worked out by hand from the operand bit patterns.
#include <gtest/gtest.h>

#include "fpu_test_values.h"
#include "machine/fpu/fpu.h"

namespace ftvm::machine::fpu::test {
namespace {

using O32 = Outcome<std::uint32_t>;
using O64 = Outcome<std::uint64_t>;
constexpr auto kRne = Rounding::kRne;
constexpr auto kRtz = Rounding::kRtz;
constexpr auto kRdn = Rounding::kRdn;
constexpr auto kRup = Rounding::kRup;
constexpr auto kRmm = Rounding::kRmm;

constexpr std::uint64_t kHalfUlpOfOne64 = 0x3ca0000000000000ull;  // 2^-53
constexpr std::uint64_t kOnePlusUlp64 = kOne64 + 1;

TEST(FpuRounding, TieBetweenEvenAndOddGoesToEvenOrAway) {
  // 1 + 2^-53 lies exactly between 1 (even) and 1 + 2^-52 (odd).
  EXPECT_EQ(outcome(f64_add, kOne64, kHalfUlpOfOne64, kRne), (O64{kOne64, kInexact}));
  EXPECT_EQ(outcome(f64_add, kOne64, kHalfUlpOfOne64, kRtz), (O64{kOne64, kInexact}));
  EXPECT_EQ(outcome(f64_add, kOne64, kHalfUlpOfOne64, kRdn), (O64{kOne64, kInexact}));
  EXPECT_EQ(outcome(f64_add, kOne64, kHalfUlpOfOne64, kRup), (O64{kOnePlusUlp64, kInexact}));
  EXPECT_EQ(outcome(f64_add, kOne64, kHalfUlpOfOne64, kRmm), (O64{kOnePlusUlp64, kInexact}));
}

TEST(FpuRounding, TieAboveAnOddValueRoundsUpForNearestModes) {
  // 1 + 1.5 ulp: between 1+ulp (odd) and 1+2ulp (even).
  const std::uint64_t one_and_half_ulp = bits(0x1.8p-52);
  EXPECT_EQ(outcome(f64_add, kOne64, one_and_half_ulp, kRne), (O64{kOne64 + 2, kInexact}));
  EXPECT_EQ(outcome(f64_add, kOne64, one_and_half_ulp, kRmm), (O64{kOne64 + 2, kInexact}));
  EXPECT_EQ(outcome(f64_add, kOne64, one_and_half_ulp, kRtz), (O64{kOne64 + 1, kInexact}));
  EXPECT_EQ(outcome(f64_add, kOne64, one_and_half_ulp, kRdn), (O64{kOne64 + 1, kInexact}));
  EXPECT_EQ(outcome(f64_add, kOne64, one_and_half_ulp, kRup), (O64{kOne64 + 2, kInexact}));
}

TEST(FpuRounding, NegativeTiesRoundByMagnitudeForNearestAndBySignForDirected) {
  const std::uint64_t minus_one = bits(-1.0);
  const std::uint64_t minus_half_ulp = kHalfUlpOfOne64 | kNegZero64;
  EXPECT_EQ(outcome(f64_add, minus_one, minus_half_ulp, kRne), (O64{minus_one, kInexact}));
  EXPECT_EQ(outcome(f64_add, minus_one, minus_half_ulp, kRtz), (O64{minus_one, kInexact}));
  EXPECT_EQ(outcome(f64_add, minus_one, minus_half_ulp, kRup), (O64{minus_one, kInexact}));
  EXPECT_EQ(outcome(f64_add, minus_one, minus_half_ulp, kRdn), (O64{minus_one + 1, kInexact}));
  EXPECT_EQ(outcome(f64_add, minus_one, minus_half_ulp, kRmm), (O64{minus_one + 1, kInexact}));
}

TEST(FpuRounding, Binary32MultiplyTie) {
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: the 2^-24 is half an ulp of 1, and
  // the kept significand 1 + 2^-11 is even.
  const std::uint32_t a = bits(1.0f + 0x1p-12f);
  const std::uint32_t even = bits(1.0f + 0x1p-11f);
  EXPECT_EQ(outcome(f32_mul, a, a, kRne), (O32{even, kInexact}));
  EXPECT_EQ(outcome(f32_mul, a, a, kRmm), (O32{even + 1, kInexact}));
  EXPECT_EQ(outcome(f32_mul, a, a, kRup), (O32{even + 1, kInexact}));
  EXPECT_EQ(outcome(f32_mul, a, a, kRtz), (O32{even, kInexact}));
  EXPECT_EQ(outcome(f32_mul, a | 0x80000000u, a, kRdn), (O32{(even + 1) | 0x80000000u, kInexact}));
}

TEST(FpuRounding, OverflowGoesToInfinityOrLargestFiniteByMode) {
  constexpr std::uint8_t kOfNx = kOverflow | kInexact;
  EXPECT_EQ(outcome(f64_add, kMaxFinite64, kMaxFinite64, kRne), (O64{kPosInf64, kOfNx}));
  EXPECT_EQ(outcome(f64_add, kMaxFinite64, kMaxFinite64, kRmm), (O64{kPosInf64, kOfNx}));
  EXPECT_EQ(outcome(f64_add, kMaxFinite64, kMaxFinite64, kRup), (O64{kPosInf64, kOfNx}));
  EXPECT_EQ(outcome(f64_add, kMaxFinite64, kMaxFinite64, kRtz), (O64{kMaxFinite64, kOfNx}));
  EXPECT_EQ(outcome(f64_add, kMaxFinite64, kMaxFinite64, kRdn), (O64{kMaxFinite64, kOfNx}));
  const std::uint64_t neg_max = kMaxFinite64 | kNegZero64;
  EXPECT_EQ(outcome(f64_mul, neg_max, bits(2.0), kRne), (O64{kNegInf64, kOfNx}));
  EXPECT_EQ(outcome(f64_mul, neg_max, bits(2.0), kRdn), (O64{kNegInf64, kOfNx}));
  EXPECT_EQ(outcome(f64_mul, neg_max, bits(2.0), kRup), (O64{neg_max, kOfNx}));
  EXPECT_EQ(outcome(f64_mul, neg_max, bits(2.0), kRtz), (O64{neg_max, kOfNx}));
  EXPECT_EQ(outcome(f32_div, kMaxFinite32, bits(0.5f), kRmm), (O32{kPosInf32, kOfNx}));
  EXPECT_EQ(outcome(f32_div, kMaxFinite32, bits(0.5f), kRtz), (O32{kMaxFinite32, kOfNx}));
}

TEST(FpuRounding, OverflowThresholdIsDecidedAfterRounding) {
  // MAX + half an ulp of MAX is a tie whose even neighbour is 2^1024.
  const std::uint64_t half_ulp_of_max = bits(0x1p970);
  EXPECT_EQ(outcome(f64_add, kMaxFinite64, half_ulp_of_max, kRne), (O64{kPosInf64, kOverflow | kInexact}));
  EXPECT_EQ(outcome(f64_add, kMaxFinite64, half_ulp_of_max, kRmm), (O64{kPosInf64, kOverflow | kInexact}));
  // Truncating keeps MAX: the rounded result is finite, so no overflow.
  EXPECT_EQ(outcome(f64_add, kMaxFinite64, half_ulp_of_max, kRtz), (O64{kMaxFinite64, kInexact}));
  // Less than half an ulp rounds back to MAX in RNE.
  EXPECT_EQ(outcome(f64_add, kMaxFinite64, bits(0x1p969), kRne), (O64{kMaxFinite64, kInexact}));
}

TEST(FpuRounding, UnderflowUsesTininessAfterRounding) {
  // a * b = 2^-1022 * (1 - 2^-54), just below the smallest normal. Rounded
  // to 53 bits with unbounded exponent it is a tie above an odd significand.
  const std::uint64_t a = 0x000ffffffe000000ull;  // 2^-1022 * (1 - 2^-27), subnormal
  const std::uint64_t b = 0x3ff0000002000000ull;  // 1 + 2^-27
  constexpr std::uint8_t kUfNx = kUnderflow | kInexact;
  EXPECT_EQ(outcome(f64_mul, a, b, kRne), (O64{kMinNorm64, kInexact}));
  EXPECT_EQ(outcome(f64_mul, a, b, kRmm), (O64{kMinNorm64, kInexact}));
  EXPECT_EQ(outcome(f64_mul, a, b, kRup), (O64{kMinNorm64, kInexact}));
  EXPECT_EQ(outcome(f64_mul, a, b, kRtz), (O64{kMaxSub64, kUfNx}));
  EXPECT_EQ(outcome(f64_mul, a, b, kRdn), (O64{kMaxSub64, kUfNx}));
  EXPECT_EQ(outcome(f64_mul, a | kNegZero64, b, kRdn), (O64{kMinNorm64 | kNegZero64, kInexact}));
}

TEST(FpuRounding, ResultCanBeTheSmallestNormalAndStillUnderflow) {
  // maxSub + half a quantum = (2^52 - 1/2) * 2^-1074 = 2^-1023 * 1.11...1
  // with exactly 53 ones: representable at full precision, hence tiny after
  // rounding, yet the subnormal rounding (a tie above an odd value) carries
  // into the smallest normal. fma rounds once, so the sum is exact going in.
  constexpr std::uint8_t kUfNx = kUnderflow | kInexact;
  const std::uint64_t half = bits(0.5);
  EXPECT_EQ(outcome(f64_fma, kMinSub64, half, kMaxSub64, kRne), (O64{kMinNorm64, kUfNx}));
  EXPECT_EQ(outcome(f64_fma, kMinSub64, half, kMaxSub64, kRmm), (O64{kMinNorm64, kUfNx}));
  EXPECT_EQ(outcome(f64_fma, kMinSub64, half, kMaxSub64, kRup), (O64{kMinNorm64, kUfNx}));
  EXPECT_EQ(outcome(f64_fma, kMinSub64, half, kMaxSub64, kRtz), (O64{kMaxSub64, kUfNx}));
  EXPECT_EQ(outcome(f64_fma, kMinSub64, half, kMaxSub64, kRdn), (O64{kMaxSub64, kUfNx}));
}

TEST(FpuRounding, ExactSubnormalResultsRaiseNothing) {
  EXPECT_EQ(outcome(f64_mul, kMinNorm64, bits(0.5), kRne), (O64{kMinNorm64 >> 1, kNoFlags}));
  EXPECT_EQ(outcome(f32_div, kMinNorm32, bits(4.0f), kRne), (O32{kMinNorm32 >> 2, kNoFlags}));
}

TEST(FpuRounding, HalfTheSmallestSubnormal) {
  constexpr std::uint8_t kUfNx = kUnderflow | kInexact;
  const std::uint64_t half = bits(0.5);
  EXPECT_EQ(outcome(f64_mul, kMinSub64, half, kRne), (O64{kPosZero64, kUfNx}));
  EXPECT_EQ(outcome(f64_mul, kMinSub64, half, kRtz), (O64{kPosZero64, kUfNx}));
  EXPECT_EQ(outcome(f64_mul, kMinSub64, half, kRdn), (O64{kPosZero64, kUfNx}));
  EXPECT_EQ(outcome(f64_mul, kMinSub64, half, kRup), (O64{kMinSub64, kUfNx}));
  EXPECT_EQ(outcome(f64_mul, kMinSub64, half, kRmm), (O64{kMinSub64, kUfNx}));
  EXPECT_EQ(outcome(f32_mul, kMinSub32 | 0x80000000u, bits(0.25f), kRdn), (O32{kMinSub32 | 0x80000000u, kUfNx}));
  EXPECT_EQ(outcome(f32_mul, kMinSub32 | 0x80000000u, bits(0.25f), kRne), (O32{kNegZero32, kUfNx}));
}

TEST(FpuRounding, Binary32UnderflowAfterRounding) {
  // Same construction in binary32: (2^23 - 1/2) * 2^-149 has 24 ones.
  constexpr std::uint8_t kUfNx = kUnderflow | kInexact;
  const std::uint32_t half = bits(0.5f);
  EXPECT_EQ(outcome(f32_fma, kMinSub32, half, kMaxSub32, kRne), (O32{kMinNorm32, kUfNx}));
  EXPECT_EQ(outcome(f32_fma, kMinSub32, half, kMaxSub32, kRtz), (O32{kMaxSub32, kUfNx}));
  EXPECT_EQ(outcome(f32_fma, kMinSub32, half, kMaxSub32, kRmm), (O32{kMinNorm32, kUfNx}));
  // Just below the smallest normal by a quarter quantum is a full-precision
  // tie above an odd value: nearest rounding escapes tininess, no UF.
  const std::uint32_t quarter = bits(0.25f);
  const std::uint32_t three = bits(3.0f);
  // An exact sum that crosses into the normal range raises nothing.
  EXPECT_EQ(outcome(f32_fma, three, kMinSub32, kMaxSub32, kRne), (O32{kMinNorm32 + 2, kNoFlags}));
  std::uint8_t flags = 0;
  const std::uint32_t three_quanta = f32_mul(three, kMinSub32, kRne, flags);
  ASSERT_EQ(flags, kNoFlags);
  // 3 quanta * 1/4 + maxSub = (2^23 - 1/4) quanta.
  EXPECT_EQ(outcome(f32_fma, three_quanta, quarter, kMaxSub32, kRne), (O32{kMinNorm32, kInexact}));
  EXPECT_EQ(outcome(f32_fma, three_quanta, quarter, kMaxSub32, kRtz), (O32{kMaxSub32, kUfNx}));
}

}  // namespace
}  // namespace ftvm::machine::fpu::test
