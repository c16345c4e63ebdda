// fcvt.d.s (exact) and fcvt.s.d (rounds).
#include <gtest/gtest.h>

#include "fpu_test_values.h"
#include "machine/fpu/fpu.h"

namespace ftvm::machine::fpu::test {
namespace {

using O32 = Outcome<std::uint32_t>;
using O64 = Outcome<std::uint64_t>;

std::uint64_t widened(std::uint32_t a, std::uint8_t& flags) { return f32_to_f64(a, flags); }

TEST(FpuWiden, IsExactAndCanonicalisesNans) {
  EXPECT_EQ(outcome(widened, kOne32), (O64{kOne64, kNoFlags}));
  EXPECT_EQ(outcome(widened, kNegZero32), (O64{kNegZero64, kNoFlags}));
  EXPECT_EQ(outcome(widened, kNegInf32), (O64{kNegInf64, kNoFlags}));
  EXPECT_EQ(outcome(widened, kMinSub32), (O64{bits(0x1p-149), kNoFlags}));
  EXPECT_EQ(outcome(widened, kMaxSub32 | 0x80000000u), (O64{bits(-0x1.fffffcp-127), kNoFlags}));
  EXPECT_EQ(outcome(widened, kMaxFinite32), (O64{bits(0x1.fffffep127), kNoFlags}));
  EXPECT_EQ(outcome(widened, kQNan32 | 0x80000000u), (O64{kCanonicalNan64, kNoFlags}));
  EXPECT_EQ(outcome(widened, kSNan32), (O64{kCanonicalNan64, kInvalid}));
}

TEST(FpuNarrow, RoundsPerMode) {
  const std::uint64_t tie = bits(1.0 + 0x1p-24);  // halfway between 1 and 1 + 2^-23
  EXPECT_EQ(outcome(f64_to_f32, tie, Rounding::kRne), (O32{kOne32, kInexact}));
  EXPECT_EQ(outcome(f64_to_f32, tie, Rounding::kRmm), (O32{kOne32 + 1, kInexact}));
  EXPECT_EQ(outcome(f64_to_f32, tie, Rounding::kRup), (O32{kOne32 + 1, kInexact}));
  EXPECT_EQ(outcome(f64_to_f32, tie | kNegZero64, Rounding::kRdn), (O32{(kOne32 + 1) | 0x80000000u, kInexact}));
  EXPECT_EQ(outcome(f64_to_f32, tie | kNegZero64, Rounding::kRtz), (O32{kOne32 | 0x80000000u, kInexact}));
  EXPECT_EQ(outcome(f64_to_f32, bits(0.1), Rounding::kRne), (O32{bits(0.1f), kInexact}));
}

TEST(FpuNarrow, OverflowUnderflowAndSpecials) {
  constexpr std::uint8_t kOfNx = kOverflow | kInexact;
  constexpr std::uint8_t kUfNx = kUnderflow | kInexact;
  EXPECT_EQ(outcome(f64_to_f32, kMaxFinite64, Rounding::kRne), (O32{kPosInf32, kOfNx}));
  EXPECT_EQ(outcome(f64_to_f32, kMaxFinite64, Rounding::kRtz), (O32{kMaxFinite32, kOfNx}));
  EXPECT_EQ(outcome(f64_to_f32, kMaxFinite64 | kNegZero64, Rounding::kRup), (O32{kMaxFinite32 | 0x80000000u, kOfNx}));
  EXPECT_EQ(outcome(f64_to_f32, kMinSub64, Rounding::kRne), (O32{kPosZero32, kUfNx}));
  EXPECT_EQ(outcome(f64_to_f32, kMinSub64, Rounding::kRup), (O32{kMinSub32, kUfNx}));
  EXPECT_EQ(outcome(f64_to_f32, bits(0x1p-149), Rounding::kRne), (O32{kMinSub32, kNoFlags}));
  EXPECT_EQ(outcome(f64_to_f32, bits(0x1p-150), Rounding::kRne), (O32{kPosZero32, kUfNx}));
  EXPECT_EQ(outcome(f64_to_f32, bits(0x1.8p-150), Rounding::kRne), (O32{kMinSub32, kUfNx}));
  EXPECT_EQ(outcome(f64_to_f32, kNegZero64, Rounding::kRne), (O32{kNegZero32, kNoFlags}));
  EXPECT_EQ(outcome(f64_to_f32, kPosInf64, Rounding::kRtz), (O32{kPosInf32, kNoFlags}));
  EXPECT_EQ(outcome(f64_to_f32, kSNan64, Rounding::kRne), (O32{kCanonicalNan32, kInvalid}));
  EXPECT_EQ(outcome(f64_to_f32, kQNan64, Rounding::kRne), (O32{kCanonicalNan32, kNoFlags}));
}

}  // namespace
}  // namespace ftvm::machine::fpu::test
