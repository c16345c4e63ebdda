// feq/flt/fle, fmin/fmax (754-2019 minimumNumber/maximumNumber) and fclass.
#include <gtest/gtest.h>

#include "fpu_test_values.h"
#include "machine/fpu/fpu.h"

namespace ftvm::machine::fpu::test {
namespace {

using OB = Outcome<bool>;
using O32 = Outcome<std::uint32_t>;
using O64 = Outcome<std::uint64_t>;

TEST(FpuCompare, EqualIsQuiet) {
  EXPECT_EQ(outcome(f64_eq, kQNan64, kQNan64), (OB{false, kNoFlags}));
  EXPECT_EQ(outcome(f64_eq, kOne64, kSNan64), (OB{false, kInvalid}));
  EXPECT_EQ(outcome(f32_eq, kNegZero32, kPosZero32), (OB{true, kNoFlags}));
  EXPECT_EQ(outcome(f32_eq, kOne32, kOne32 + 1), (OB{false, kNoFlags}));
  EXPECT_EQ(outcome(f64_eq, kNegInf64, kNegInf64), (OB{true, kNoFlags}));
}

TEST(FpuCompare, OrderingIsSignalingForAnyNan) {
  EXPECT_EQ(outcome(f64_lt, kQNan64, kOne64), (OB{false, kInvalid}));
  EXPECT_EQ(outcome(f64_le, kOne64, kQNan64), (OB{false, kInvalid}));
  EXPECT_EQ(outcome(f32_lt, kSNan32, kOne32), (OB{false, kInvalid}));
  EXPECT_EQ(outcome(f32_le, kQNan32, kQNan32), (OB{false, kInvalid}));
}

TEST(FpuCompare, OrderingOfOrdinaryValues) {
  EXPECT_EQ(outcome(f64_lt, kNegZero64, kPosZero64), (OB{false, kNoFlags}));
  EXPECT_EQ(outcome(f64_le, kPosZero64, kNegZero64), (OB{true, kNoFlags}));
  EXPECT_EQ(outcome(f64_lt, bits(-2.0), bits(-1.0)), (OB{true, kNoFlags}));
  EXPECT_EQ(outcome(f64_lt, bits(-1.0), bits(-2.0)), (OB{false, kNoFlags}));
  EXPECT_EQ(outcome(f64_lt, kNegInf64, kMaxFinite64 | kNegZero64), (OB{true, kNoFlags}));
  EXPECT_EQ(outcome(f32_lt, kMinSub32 | 0x80000000u, kMinSub32), (OB{true, kNoFlags}));
  EXPECT_EQ(outcome(f32_le, kOne32, kOne32), (OB{true, kNoFlags}));
  EXPECT_EQ(outcome(f32_lt, kOne32, kOne32), (OB{false, kNoFlags}));
  EXPECT_EQ(outcome(f32_le, kPosInf32, kMaxFinite32), (OB{false, kNoFlags}));
}

TEST(FpuMinMax, NegativeZeroIsBelowPositiveZero) {
  EXPECT_EQ(outcome(f64_min, kPosZero64, kNegZero64), (O64{kNegZero64, kNoFlags}));
  EXPECT_EQ(outcome(f64_max, kNegZero64, kPosZero64), (O64{kPosZero64, kNoFlags}));
  EXPECT_EQ(outcome(f32_min, kNegZero32, kPosZero32), (O32{kNegZero32, kNoFlags}));
  EXPECT_EQ(outcome(f32_max, kPosZero32, kNegZero32), (O32{kPosZero32, kNoFlags}));
}

TEST(FpuMinMax, OneNanIsIgnoredButSignalingRaisesNv) {
  EXPECT_EQ(outcome(f64_min, kQNan64, kOne64), (O64{kOne64, kNoFlags}));
  EXPECT_EQ(outcome(f64_max, kNegInf64, kQNan64), (O64{kNegInf64, kNoFlags}));
  EXPECT_EQ(outcome(f64_max, kSNan64, bits(-3.0)), (O64{bits(-3.0), kInvalid}));
  EXPECT_EQ(outcome(f32_min, kOne32, kSNan32), (O32{kOne32, kInvalid}));
}

TEST(FpuMinMax, BothNanGiveCanonicalNan) {
  EXPECT_EQ(outcome(f64_min, kQNan64, kQNan64 | kNegZero64), (O64{kCanonicalNan64, kNoFlags}));
  EXPECT_EQ(outcome(f64_max, kSNan64, kQNan64), (O64{kCanonicalNan64, kInvalid}));
  EXPECT_EQ(outcome(f32_max, kQNan32, kQNan32), (O32{kCanonicalNan32, kNoFlags}));
  EXPECT_EQ(outcome(f32_min, kSNan32, kSNan32), (O32{kCanonicalNan32, kInvalid}));
}

TEST(FpuMinMax, OrdinaryValues) {
  EXPECT_EQ(outcome(f64_min, bits(-2.0), bits(1.0)), (O64{bits(-2.0), kNoFlags}));
  EXPECT_EQ(outcome(f64_max, bits(-2.0), bits(-1.0)), (O64{bits(-1.0), kNoFlags}));
  EXPECT_EQ(outcome(f32_max, kMaxFinite32, kPosInf32), (O32{kPosInf32, kNoFlags}));
  EXPECT_EQ(outcome(f32_min, kMinSub32, kMinNorm32), (O32{kMinSub32, kNoFlags}));
}

TEST(FpuClassify, OneBitPerClass) {
  EXPECT_EQ(f64_classify(kNegInf64), 1u << 0);
  EXPECT_EQ(f64_classify(bits(-1.0)), 1u << 1);
  EXPECT_EQ(f64_classify(kMaxSub64 | kNegZero64), 1u << 2);
  EXPECT_EQ(f64_classify(kNegZero64), 1u << 3);
  EXPECT_EQ(f64_classify(kPosZero64), 1u << 4);
  EXPECT_EQ(f64_classify(kMinSub64), 1u << 5);
  EXPECT_EQ(f64_classify(kMinNorm64), 1u << 6);
  EXPECT_EQ(f64_classify(kPosInf64), 1u << 7);
  EXPECT_EQ(f64_classify(kSNan64), 1u << 8);
  EXPECT_EQ(f64_classify(kQNan64 | kNegZero64), 1u << 9);
  EXPECT_EQ(f32_classify(kNegInf32), 1u << 0);
  EXPECT_EQ(f32_classify(kMaxFinite32 | 0x80000000u), 1u << 1);
  EXPECT_EQ(f32_classify(kMinSub32 | 0x80000000u), 1u << 2);
  EXPECT_EQ(f32_classify(kNegZero32), 1u << 3);
  EXPECT_EQ(f32_classify(kPosZero32), 1u << 4);
  EXPECT_EQ(f32_classify(kMaxSub32), 1u << 5);
  EXPECT_EQ(f32_classify(kOne32), 1u << 6);
  EXPECT_EQ(f32_classify(kPosInf32), 1u << 7);
  EXPECT_EQ(f32_classify(kSNan32), 1u << 8);
  EXPECT_EQ(f32_classify(kCanonicalNan32), 1u << 9);
}

}  // namespace
}  // namespace ftvm::machine::fpu::test
