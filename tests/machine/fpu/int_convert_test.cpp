// fcvt between floating point and integers: rounding in every mode and the
// saturation table of the RISC-V F chapter (NV, never NX, when out of range).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "fpu_test_values.h"
#include "machine/fpu/fpu.h"

namespace ftvm::machine::fpu::test {
namespace {

constexpr auto kRne = Rounding::kRne;
constexpr auto kRtz = Rounding::kRtz;
constexpr auto kRdn = Rounding::kRdn;
constexpr auto kRup = Rounding::kRup;
constexpr auto kRmm = Rounding::kRmm;
constexpr std::int32_t kI32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int32_t kI32Min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::uint32_t kU32Max = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();
using OI32 = Outcome<std::int32_t>;
using OU32 = Outcome<std::uint32_t>;
using OI64 = Outcome<std::int64_t>;
using OU64 = Outcome<std::uint64_t>;

TEST(FpuToInt, HalvesRoundPerMode) {
  const std::uint32_t two_and_half = bits(2.5f);
  EXPECT_EQ(outcome(f32_to_i32, two_and_half, kRne), (OI32{2, kInexact}));
  EXPECT_EQ(outcome(f32_to_i32, two_and_half, kRtz), (OI32{2, kInexact}));
  EXPECT_EQ(outcome(f32_to_i32, two_and_half, kRdn), (OI32{2, kInexact}));
  EXPECT_EQ(outcome(f32_to_i32, two_and_half, kRup), (OI32{3, kInexact}));
  EXPECT_EQ(outcome(f32_to_i32, two_and_half, kRmm), (OI32{3, kInexact}));
  const std::uint64_t minus_two_and_half = bits(-2.5);
  EXPECT_EQ(outcome(f64_to_i64, minus_two_and_half, kRne), (OI64{-2, kInexact}));
  EXPECT_EQ(outcome(f64_to_i64, minus_two_and_half, kRtz), (OI64{-2, kInexact}));
  EXPECT_EQ(outcome(f64_to_i64, minus_two_and_half, kRdn), (OI64{-3, kInexact}));
  EXPECT_EQ(outcome(f64_to_i64, minus_two_and_half, kRup), (OI64{-2, kInexact}));
  EXPECT_EQ(outcome(f64_to_i64, minus_two_and_half, kRmm), (OI64{-3, kInexact}));
  EXPECT_EQ(outcome(f64_to_i32, bits(3.5), kRne), (OI32{4, kInexact}));
  EXPECT_EQ(outcome(f64_to_i32, bits(-7.0), kRne), (OI32{-7, kNoFlags}));
  EXPECT_EQ(outcome(f64_to_i32, kMinSub64, kRup), (OI32{1, kInexact}));
  EXPECT_EQ(outcome(f64_to_i32, kMinSub64 | kNegZero64, kRdn), (OI32{-1, kInexact}));
}

TEST(FpuToInt, NanAndInfinitiesSaturate) {
  for (Rounding rm : kAllModes) {
    EXPECT_EQ(outcome(f32_to_i32, kQNan32, rm), (OI32{kI32Max, kInvalid}));
    EXPECT_EQ(outcome(f32_to_i32, kQNan32 | 0x80000000u, rm), (OI32{kI32Max, kInvalid}));
    EXPECT_EQ(outcome(f32_to_u32, kSNan32, rm), (OU32{kU32Max, kInvalid}));
    EXPECT_EQ(outcome(f64_to_i64, kQNan64, rm), (OI64{kI64Max, kInvalid}));
    EXPECT_EQ(outcome(f64_to_u64, kQNan64, rm), (OU64{kU64Max, kInvalid}));
    EXPECT_EQ(outcome(f64_to_i32, kPosInf64, rm), (OI32{kI32Max, kInvalid}));
    EXPECT_EQ(outcome(f64_to_i32, kNegInf64, rm), (OI32{kI32Min, kInvalid}));
    EXPECT_EQ(outcome(f32_to_i64, kNegInf32, rm), (OI64{kI64Min, kInvalid}));
    EXPECT_EQ(outcome(f32_to_u64, kPosInf32, rm), (OU64{kU64Max, kInvalid}));
    EXPECT_EQ(outcome(f64_to_u32, kNegInf64, rm), (OU32{0, kInvalid}));
  }
}

TEST(FpuToInt, SignedRangeLimits) {
  EXPECT_EQ(outcome(f32_to_i32, bits(0x1p31f), kRne), (OI32{kI32Max, kInvalid}));
  EXPECT_EQ(outcome(f32_to_i32, bits(-0x1p31f), kRne), (OI32{kI32Min, kNoFlags}));
  EXPECT_EQ(outcome(f64_to_i64, bits(0x1p63), kRtz), (OI64{kI64Max, kInvalid}));
  EXPECT_EQ(outcome(f64_to_i64, bits(-0x1p63), kRtz), (OI64{kI64Min, kNoFlags}));
  EXPECT_EQ(outcome(f64_to_i64, bits(0x1p63 - 1024), kRne), (OI64{kI64Max - 1023, kNoFlags}));
  EXPECT_EQ(outcome(f64_to_i64, kMaxFinite64 | kNegZero64, kRne), (OI64{kI64Min, kInvalid}));
  // 2147483647.5: whether it fits depends on the rounding direction.
  const std::uint64_t just_above = bits(2147483647.5);
  EXPECT_EQ(outcome(f64_to_i32, just_above, kRne), (OI32{kI32Max, kInvalid}));  // ties to even 2^31
  EXPECT_EQ(outcome(f64_to_i32, just_above, kRmm), (OI32{kI32Max, kInvalid}));
  EXPECT_EQ(outcome(f64_to_i32, just_above, kRup), (OI32{kI32Max, kInvalid}));
  EXPECT_EQ(outcome(f64_to_i32, just_above, kRtz), (OI32{kI32Max, kInexact}));
  EXPECT_EQ(outcome(f64_to_i32, just_above, kRdn), (OI32{kI32Max, kInexact}));
  const std::uint64_t just_below = bits(-2147483648.5);
  EXPECT_EQ(outcome(f64_to_i32, just_below, kRne), (OI32{kI32Min, kInexact}));
  EXPECT_EQ(outcome(f64_to_i32, just_below, kRtz), (OI32{kI32Min, kInexact}));
  EXPECT_EQ(outcome(f64_to_i32, just_below, kRup), (OI32{kI32Min, kInexact}));
  EXPECT_EQ(outcome(f64_to_i32, just_below, kRdn), (OI32{kI32Min, kInvalid}));
  EXPECT_EQ(outcome(f64_to_i32, just_below, kRmm), (OI32{kI32Min, kInvalid}));
}

TEST(FpuToInt, UnsignedNegativeSaturatesToZeroUnlessItRoundsToZero) {
  const std::uint32_t minus_half = bits(-0.5f);
  EXPECT_EQ(outcome(f32_to_u32, minus_half, kRtz), (OU32{0, kInexact}));
  EXPECT_EQ(outcome(f32_to_u32, minus_half, kRne), (OU32{0, kInexact}));
  EXPECT_EQ(outcome(f32_to_u32, minus_half, kRup), (OU32{0, kInexact}));
  EXPECT_EQ(outcome(f32_to_u32, minus_half, kRdn), (OU32{0, kInvalid}));
  EXPECT_EQ(outcome(f32_to_u32, minus_half, kRmm), (OU32{0, kInvalid}));
  EXPECT_EQ(outcome(f64_to_u64, bits(-1.0), kRtz), (OU64{0, kInvalid}));
  EXPECT_EQ(outcome(f64_to_u64, kNegZero64, kRdn), (OU64{0, kNoFlags}));
  EXPECT_EQ(outcome(f64_to_u32, bits(-0.75), kRtz), (OU32{0, kInexact}));
}

TEST(FpuToInt, UnsignedUpperLimits) {
  EXPECT_EQ(outcome(f32_to_u32, bits(0x1p32f), kRne), (OU32{kU32Max, kInvalid}));
  EXPECT_EQ(outcome(f32_to_u32, 0x4f7fffffu, kRne), (OU32{0xffffff00u, kNoFlags}));
  EXPECT_EQ(outcome(f64_to_u32, bits(4294967295.5), kRtz), (OU32{kU32Max, kInexact}));
  EXPECT_EQ(outcome(f64_to_u32, bits(4294967295.5), kRne), (OU32{kU32Max, kInvalid}));
  EXPECT_EQ(outcome(f64_to_u64, bits(0x1p64), kRtz), (OU64{kU64Max, kInvalid}));
  EXPECT_EQ(outcome(f64_to_u64, bits(0x1p64 - 2048), kRtz), (OU64{kU64Max - 2047, kNoFlags}));
  EXPECT_EQ(outcome(f32_to_u64, kMaxFinite32, kRtz), (OU64{kU64Max, kInvalid}));
}

TEST(FpuFromInt, RoundsWhenTheIntegerHasTooManyBits) {
  // 2^24 + 1 lies halfway between 2^24 and 2^24 + 2.
  const std::int32_t odd = (1 << 24) + 1;
  EXPECT_EQ(outcome(i32_to_f32, odd, kRne), (OU32{bits(0x1p24f), kInexact}));
  EXPECT_EQ(outcome(i32_to_f32, odd, kRtz), (OU32{bits(0x1p24f), kInexact}));
  EXPECT_EQ(outcome(i32_to_f32, odd, kRup), (OU32{bits(0x1p24f + 2), kInexact}));
  EXPECT_EQ(outcome(i32_to_f32, odd, kRmm), (OU32{bits(0x1p24f + 2), kInexact}));
  EXPECT_EQ(outcome(i32_to_f32, -odd, kRdn), (OU32{bits(-0x1p24f - 2), kInexact}));
  EXPECT_EQ(outcome(u64_to_f64, kU64Max, kRne), (OU64{bits(0x1p64), kInexact}));
  EXPECT_EQ(outcome(u64_to_f64, kU64Max, kRtz), (OU64{0x43efffffffffffffull, kInexact}));
  EXPECT_EQ(outcome(u64_to_f32, kU64Max, kRtz), (OU32{0x5f7fffffu, kInexact}));
  EXPECT_EQ(outcome(i64_to_f32, kI64Min, kRne), (OU32{bits(-0x1p63f), kNoFlags}));
}

TEST(FpuFromInt, ExactConversions) {
  for (Rounding rm : kAllModes) {
    EXPECT_EQ(outcome(i32_to_f32, 0, rm), (OU32{kPosZero32, kNoFlags}));
    EXPECT_EQ(outcome(i64_to_f64, 0, rm), (OU64{kPosZero64, kNoFlags}));
    EXPECT_EQ(outcome(i32_to_f64, kI32Min, rm), (OU64{bits(-0x1p31), kNoFlags}));
    EXPECT_EQ(outcome(u32_to_f64, kU32Max, rm), (OU64{bits(4294967295.0), kNoFlags}));
    EXPECT_EQ(outcome(i64_to_f64, kI64Min, rm), (OU64{bits(-0x1p63), kNoFlags}));
    EXPECT_EQ(outcome(u32_to_f32, 1u << 31, rm), (OU32{bits(0x1p31f), kNoFlags}));
    EXPECT_EQ(outcome(i64_to_f32, -3, rm), (OU32{bits(-3.0f), kNoFlags}));
  }
}

}  // namespace
}  // namespace ftvm::machine::fpu::test
