// The host fast path must be indistinguishable from the soft-float: same
// bits, same flags, for every input it accepts, and it must step aside when
// the host FPU is not in plain round-to-nearest-even.
#include <gtest/gtest.h>

#include <cfenv>
#include <cstdint>

#include "fpu_test_values.h"
#include "host_fenv.h"
#include "machine/fpu/arithmetic.h"
#include "machine/fpu/fast_path.h"
#include "machine/fpu/fpu.h"
#include "random_floats.h"

#if FTVM_FPU_HOST_FAST_PATH
#include <xmmintrin.h>
#endif

namespace ftvm::machine::fpu::test {
namespace {

using detail::Binary32;
using detail::Binary64;

constexpr int kSamples = 1000000;

// Counts how often the fast path answered, and checks each answer.
struct Tally {
  int taken = 0;
  int total = 0;
};

// Each input is tried twice: with no flags raised yet, and with NX already
// sticky (the CPU passes fflags' NX in, which lets the shortcut skip its
// exactness proof; the result must still be the soft-float's).
template <typename F, typename Fast, typename Soft, typename... Args>
void compare(Tally& tally, Fast fast, Soft soft, Args... args) {
  for (const std::uint8_t initial : {std::uint8_t{0}, kInexact}) {
    ++tally.total;
    typename F::Bits fast_result = 0;
    std::uint8_t fast_flags = initial;
    if (!fast(args..., Rounding::kRne, fast_result, fast_flags)) continue;
    ++tally.taken;
    std::uint8_t soft_flags = initial;
    const auto soft_result = soft(args..., Rounding::kRne, soft_flags);
    ASSERT_EQ(fast_result, soft_result) << "initial flags " << int{initial} << ", operands "
                                        << ((::testing::PrintToString(args) + " ") + ...);
    ASSERT_EQ(fast_flags, soft_flags) << "initial flags " << int{initial} << ", operands "
                                      << ((::testing::PrintToString(args) + " ") + ...);
  }
}

template <typename F, typename L>
void check_format(std::uint64_t seed) {
  FloatSource<L> src(seed);
  std::uint8_t scratch = 0;
  Tally add, mul, div, sqrt, fma;
  for (int i = 0; i < kSamples; ++i) {
    const auto a = src.next();
    const auto b = src.below(2) ? src.near(a) : src.next();
    compare<F>(add, detail::fast_add<F>, detail::add<F>, a, b);
    compare<F>(mul, detail::fast_mul<F>, detail::mul<F>, a, b);
    compare<F>(div, detail::fast_div<F>, detail::div<F>, a, b);
    compare<F>(sqrt, detail::fast_sqrt<F>, detail::sqrt<F>, a);
    // Addends near -a*b make the fused sum cancel and often be exact.
    const auto c = src.below(2) ? src.next() : src.near(detail::mul<F>(a, b, Rounding::kRne, scratch) ^ F::kSignMask);
    compare<F>(fma, detail::fast_fma<F>, detail::fma<F>, a, b, c);
    if (::testing::Test::HasFatalFailure()) return;
  }
  // The generator is biased towards edge cases, yet most ordinary inputs
  // must still take the shortcut (or it would be pointless).
  if (FTVM_FPU_HOST_FAST_PATH) {
    EXPECT_GT(add.taken, add.total / 3);
    EXPECT_GT(mul.taken, mul.total / 3);
    EXPECT_GT(div.taken, div.total / 3);
    EXPECT_GT(sqrt.taken, sqrt.total / 4);
    EXPECT_GT(fma.taken, fma.total / 4);
  }
}

TEST(FpuFastPath, Binary64AgreesWithSoftFloat) { check_format<Binary64, Layout64>(31); }
TEST(FpuFastPath, Binary32AgreesWithSoftFloat) { check_format<Binary32, Layout32>(32); }

TEST(FpuFastPath, ExactResultsRaiseNoFlags) {
  std::uint8_t flags = 0;
  EXPECT_EQ(f64_add(bits(1.5), bits(2.25), Rounding::kRne, flags), bits(3.75));
  EXPECT_EQ(f64_mul(bits(1.5), bits(-2.25), Rounding::kRne, flags), bits(-3.375));
  EXPECT_EQ(f64_div(bits(-3.375), bits(1.5), Rounding::kRne, flags), bits(-2.25));
  EXPECT_EQ(f64_sqrt(bits(2.25), Rounding::kRne, flags), bits(1.5));
  EXPECT_EQ(f32_div(bits(1.0f), bits(8.0f), Rounding::kRne, flags), bits(0.125f));
  EXPECT_EQ(flags, kNoFlags);
  EXPECT_EQ(f64_div(bits(1.0), bits(10.0), Rounding::kRne, flags), bits(0.1));
  EXPECT_EQ(flags, kInexact);
}

TEST(FpuFastPath, HostInAnotherRoundingModeDoesNotLeakIntoResults) {
  // 1 + 2^-53 is a tie: RNE gives 1, a host rounding up would give 1+ulp.
  for (int mode : {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO}) {
    HostFpuScope scope(mode);
    std::uint8_t flags = 0;
    EXPECT_EQ(f64_add(kOne64, bits(0x1p-53), Rounding::kRne, flags), kOne64);
    EXPECT_EQ(f64_div(kOne64, bits(3.0), Rounding::kRne, flags), 0x3fd5555555555555ull);
    EXPECT_EQ(f32_mul(bits(1.0f + 0x1p-12f), bits(1.0f + 0x1p-12f), Rounding::kRne, flags), bits(1.0f + 0x1p-11f));
    EXPECT_EQ(flags, kInexact);
  }
}

// The fused multiply-add does not read the host's mode: it proves from the
// residual that the host's result is the RNE one. Under a directed host mode
// it must therefore either decline or agree exactly with the soft-float (and
// it still answers whenever the directed result happens to be the nearest).
TEST(FpuFastPath, FusedMultiplyAddIsRightInEveryHostMode) {
  for (int mode : {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO}) {
    HostFpuScope scope(mode);
    FloatSource<Layout64> src(77);
    Tally fma;
    std::uint8_t scratch = 0;
    for (int i = 0; i < kSamples / 10; ++i) {
      const auto a = src.next();
      const auto b = src.below(2) ? src.near(a) : src.next();
      const auto c =
          src.below(2) ? src.next() : src.near(detail::mul<Binary64>(a, b, Rounding::kRne, scratch) ^ Binary64::kSignMask);
      compare<Binary64>(fma, detail::fast_fma<Binary64>, detail::fma<Binary64>, a, b, c);
      if (::testing::Test::HasFatalFailure()) return;
    }
    if (FTVM_FPU_HOST_FAST_PATH) {
      EXPECT_GT(fma.taken, fma.total / 10);
    }
    // A tie: 1 + 2^-53 (as 2^-27 * 2^-26 + 1) is 1 under RNE, 1+ulp rounded up.
    std::uint8_t flags = 0;
    EXPECT_EQ(f64_fma(bits(0x1p-27), bits(0x1p-26), kOne64, Rounding::kRne, flags), kOne64);
    EXPECT_EQ(flags, kInexact);
  }
}

#if FTVM_FPU_HOST_FAST_PATH
TEST(FpuFastPath, HostFlushToZeroDoesNotLeakIntoResults) {
  const unsigned saved = _mm_getcsr();
  constexpr unsigned kFlushToZeroAndDaz = 0x8040;
  _mm_setcsr(saved | kFlushToZeroAndDaz);
  std::uint8_t flags = 0;
  // A subnormal operand must not be read as zero, nor a subnormal result
  // flushed.
  const std::uint64_t product = f64_mul(kMinNorm64, bits(0.25), Rounding::kRne, flags);
  const std::uint64_t sum = f64_add(kMaxSub64, kMaxSub64, Rounding::kRne, flags);
  const std::uint64_t scaled = f64_mul(kMinSub64, bits(0x1p60), Rounding::kRne, flags);
  _mm_setcsr(saved);
  EXPECT_EQ(product, kMinNorm64 >> 2);
  EXPECT_EQ(sum, 2 * kMaxSub64);
  EXPECT_EQ(scaled, bits(0x1p-1014));
  EXPECT_EQ(flags, kNoFlags);
}

// Normal operands and a normal sum whose rounding error is subnormal: under
// flush-to-zero a host TwoSum would see an error of zero and miss NX.
TEST(FpuFastPath, HostFlushToZeroDoesNotHideARoundingError) {
  const unsigned saved = _mm_getcsr();
  constexpr unsigned kFlushToZeroAndDaz = 0x8040;
  _mm_setcsr(saved | kFlushToZeroAndDaz);
  std::uint8_t flags = 0;
  const std::uint64_t sum = f64_add(bits(0x1p-1020), kMinNorm64 + 1, Rounding::kRne, flags);
  _mm_setcsr(saved);
  EXPECT_EQ(sum, bits(0x1p-1020 + 0x1p-1022));  // 2^-1074 lost: below half an ulp of the sum
  EXPECT_EQ(flags, kInexact);
}
#endif

}  // namespace
}  // namespace ftvm::machine::fpu::test
