// Round-to-nearest, ties-to-max-magnitude has no x86 equivalent, so it gets
// its own references built from exact host arithmetic:
//  * binary32 results whose exact value fits a double (products, most sums,
//    narrowing) are rounded by hand from that exact double;
//  * binary64 add/mul use the exact rounding error of the RNE result
//    (TwoSum / fma) to find ties;
//  * a square root, and a quotient in the normal range, can never be exactly
//    halfway, so RMM must equal RNE there, flags included. (A subnormal
//    quotient can tie: 3 * 2^-1074 / 2.)
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>

#include "fpu_test_values.h"
#include "host_fenv.h"
#include "machine/fpu/fpu.h"
#include "random_floats.h"

namespace ftvm::machine::fpu::test {
namespace {

constexpr int kSamples = 400000;

// Rounds an exact double to binary32 with RMM using the host for the two
// directed neighbours: result and flags equal the host's RNE outcome unless
// the value is a tie, where they equal the outcome of rounding away.
Outcome<std::uint32_t> rmm_from_exact_double(double exact) {
  auto host_round = [exact](int mode) {
    HostFpuScope scope(mode);
    const float r = host_narrow(exact);
    return Outcome<std::uint32_t>{bits(r), HostFpuScope::flags()};
  };
  const auto toward_zero = host_round(FE_TOWARDZERO);
  const auto away = host_round(std::signbit(exact) ? FE_DOWNWARD : FE_UPWARD);
  const auto nearest_even = host_round(FE_TONEAREST);
  if ((toward_zero.flags & kInexact) == 0) return nearest_even;
  // Magnitudes of the truncated value and its successor, in double (the
  // successor of the largest finite float is 2^128).
  const double low = std::fabs(static_cast<double>(std::bit_cast<float>(toward_zero.value)));
  const std::uint32_t low_bits = toward_zero.value & 0x7fffffffu;
  const double high = low_bits == kMaxFinite32 ? 0x1p128 : static_cast<double>(std::bit_cast<float>(low_bits + 1));
  const bool tie = 2 * (std::fabs(exact) - low) == high - low;  // all exact in double
  return tie ? away : nearest_even;
}

std::string describe(const Outcome<std::uint32_t>& ours, const Outcome<std::uint32_t>& want) {
  return "ours " + std::to_string(ours.value) + "/" + std::to_string(ours.flags) + " want " +
         std::to_string(want.value) + "/" + std::to_string(want.flags);
}

bool finite32(std::uint32_t a) { return (a & 0x7f800000u) != 0x7f800000u; }

TEST(FpuRmmCrossCheck, Binary32ProductsAgainstExactDouble) {
  FloatSource<Layout32> src(21);
  for (int i = 0; i < kSamples; ++i) {
    const std::uint32_t a = src.next();
    const std::uint32_t b = src.next();
    if (!finite32(a) || !finite32(b)) continue;
    const double exact = static_cast<double>(std::bit_cast<float>(a)) * std::bit_cast<float>(b);
    const auto ours = outcome(f32_mul, a, b, Rounding::kRmm);
    const auto want = rmm_from_exact_double(exact);
    ASSERT_EQ(ours, want) << "a=" << a << " b=" << b << " " << describe(ours, want);
  }
}

TEST(FpuRmmCrossCheck, Binary32SumsAndFmasAgainstExactDouble) {
  FloatSource<Layout32> src(22);
  int checked = 0;
  for (int i = 0; i < kSamples; ++i) {
    const std::uint32_t a = src.next();
    const std::uint32_t b = src.below(2) ? src.near(a) : src.next();
    const std::uint32_t c = src.next();
    if (!finite32(a) || !finite32(b) || !finite32(c)) continue;
    const double fa = std::bit_cast<float>(a);
    const double fb = std::bit_cast<float>(b);
    const double fc = std::bit_cast<float>(c);
    HostFpuScope scope(FE_TONEAREST);
    const double sum = host_add(fa, fb);
    const bool sum_exact = (HostFpuScope::flags() & kInexact) == 0;
    const double fused = host_fma(fa, fb, fc);  // exact product, then one rounding
    const bool fused_exact = (HostFpuScope::flags() & kInexact) == 0;
    // Exact sums of zero have a mode-dependent sign that the reference
    // cannot see; those are covered by the edge-case tests.
    if (sum_exact && sum != 0) {
      const auto ours = outcome(f32_add, a, b, Rounding::kRmm);
      const auto want = rmm_from_exact_double(sum);
      ASSERT_EQ(ours, want) << "add a=" << a << " b=" << b << " " << describe(ours, want);
      ++checked;
    }
    if (fused_exact && fused != 0) {
      const auto ours = outcome(f32_fma, a, b, c, Rounding::kRmm);
      const auto want = rmm_from_exact_double(fused);
      ASSERT_EQ(ours, want) << "fma a=" << a << " b=" << b << " c=" << c << " " << describe(ours, want);
      ++checked;
    }
  }
  EXPECT_GT(checked, kSamples / 2);
}

TEST(FpuRmmCrossCheck, NarrowingAgainstExactDouble) {
  FloatSource<Layout64> src(23);
  for (int i = 0; i < kSamples; ++i) {
    // Doubles in and around the float range, many with a short significand.
    const double near_float = static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(src.raw())));
    const std::uint64_t a = bits(near_float * (1.0 + 0x1p-24 * static_cast<double>(src.below(3))));
    if (!std::isfinite(std::bit_cast<double>(a))) continue;
    const auto ours = outcome(f64_to_f32, a, Rounding::kRmm);
    const auto want = rmm_from_exact_double(std::bit_cast<double>(a));
    ASSERT_EQ(ours, want) << "a=" << a << " " << describe(ours, want);
  }
}

// RMM for a binary64 result `nearest` (the host's RNE result) whose exact
// rounding error is `error`: at a tie, the neighbour with the larger
// magnitude wins.
double rmm_from_error(double nearest, double error) {
  if (error == 0) return nearest;
  const double other = std::nextafter(nearest, error > 0 ? INFINITY : -INFINITY);
  const bool tie = 2 * error == other - nearest;
  if (!tie) return nearest;
  return std::fabs(other) > std::fabs(nearest) ? other : nearest;
}

// Only results comfortably inside the normal range, where the error term is
// exact and no OF/UF can arise.
bool comfortably_normal(double r) { return std::isnormal(r) && std::fabs(r) > 0x1p-960 && std::fabs(r) < 0x1p1020; }

TEST(FpuRmmCrossCheck, Binary64SumsAndProductsAgainstErrorTerms) {
  FloatSource<Layout64> src(24);
  int ties = 0;
  for (int i = 0; i < kSamples; ++i) {
    const std::uint64_t a = src.next();
    const std::uint64_t b = src.below(2) ? src.near(a) : src.next();
    const double x = std::bit_cast<double>(a);
    const double y = std::bit_cast<double>(b);
    HostFpuScope scope(FE_TONEAREST);
    const double s = host_add(x, y);
    if (comfortably_normal(s) && comfortably_normal(x) && comfortably_normal(y)) {
      // TwoSum: the exact error of s, with no magnitude precondition.
      const double yv = host_sub(s, x);
      const double xv = host_sub(s, yv);
      const double error = host_add(host_sub(x, xv), host_sub(y, yv));
      const double want = rmm_from_error(s, error);
      if (want != s) ++ties;
      const auto ours = outcome(f64_add, a, b, Rounding::kRmm);
      const std::uint8_t want_flags = error != 0 ? kInexact : kNoFlags;
      ASSERT_EQ(ours, (Outcome<std::uint64_t>{bits(want), want_flags})) << "add a=" << a << " b=" << b;
    }
    const double p = host_mul(x, y);
    if (comfortably_normal(p)) {
      const double error = host_fma(x, y, -p);
      const double want = rmm_from_error(p, error);
      if (want != p) ++ties;
      const auto ours = outcome(f64_mul, a, b, Rounding::kRmm);
      const std::uint8_t want_flags = error != 0 ? kInexact : kNoFlags;
      ASSERT_EQ(ours, (Outcome<std::uint64_t>{bits(want), want_flags})) << "mul a=" << a << " b=" << b;
    }
  }
  EXPECT_GT(ties, 100);  // the generator must actually produce ties
}

TEST(FpuRmmCrossCheck, DivisionAndSquareRootNeverTie) {
  FloatSource<Layout64> src64(25);
  FloatSource<Layout32> src32(26);
  for (int i = 0; i < kSamples; ++i) {
    const std::uint64_t a = src64.next();
    const std::uint64_t b = src64.next();
    const auto div64 = outcome(f64_div, a, b, Rounding::kRne);
    if ((div64.flags & kUnderflow) == 0) {
      ASSERT_EQ(outcome(f64_div, a, b, Rounding::kRmm), div64) << a << " " << b;
    }
    ASSERT_EQ(outcome(f64_sqrt, a, Rounding::kRmm), outcome(f64_sqrt, a, Rounding::kRne)) << a;
    const std::uint32_t c = src32.next();
    const std::uint32_t d = src32.next();
    const auto div32 = outcome(f32_div, c, d, Rounding::kRne);
    if ((div32.flags & kUnderflow) == 0) {
      ASSERT_EQ(outcome(f32_div, c, d, Rounding::kRmm), div32) << c << " " << d;
    }
    ASSERT_EQ(outcome(f32_sqrt, c, Rounding::kRmm), outcome(f32_sqrt, c, Rounding::kRne)) << c;
  }
}

TEST(FpuRmmCrossCheck, IntegerConversionsAgainstHalfwayArithmetic) {
  FloatSource<Layout64> src(27);
  for (int i = 0; i < kSamples; ++i) {
    const double x = std::bit_cast<double>(src.next());
    if (!std::isfinite(x) || std::fabs(x) >= 0x1p62) continue;
    // trunc and the fractional part are exact for doubles.
    const double whole = std::trunc(x);
    const double frac = std::fabs(x - whole);
    const double magnitude = std::fabs(whole) + (frac >= 0.5 ? 1 : 0);
    const auto want = static_cast<std::int64_t>(std::signbit(x) ? -magnitude : magnitude);
    const auto ours = outcome(f64_to_i64, bits(x), Rounding::kRmm);
    ASSERT_EQ(ours, (Outcome<std::int64_t>{want, frac != 0 ? kInexact : kNoFlags})) << x;
  }
}

}  // namespace
}  // namespace ftvm::machine::fpu::test
