// A dense sweep of binary32 square roots over two whole binades (so both
// exponent parities are covered) in every host-supported rounding mode,
// against the host's correctly rounded sqrtss. In RNE this also exercises
// the fast path; in the directed modes only the integer soft path runs.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>

#include "fpu_test_values.h"
#include "host_fenv.h"
#include "machine/fpu/fpu.h"

namespace ftvm::machine::fpu::test {
namespace {

constexpr std::uint32_t kStride = 13;  // every 13th significand: ~1.3M roots per mode

TEST(FpuSqrtSweep, Binary32FromOneToFour) {
  const std::uint32_t first = bits(1.0f);
  const std::uint32_t last = bits(4.0f);
  for (Rounding rm : {Rounding::kRne, Rounding::kRtz, Rounding::kRdn, Rounding::kRup}) {
    HostFpuScope scope(*host_mode(rm));
    for (std::uint32_t a = first; a < last; a += kStride) {
      std::feclearexcept(FE_ALL_EXCEPT);
      const float host = host_sqrt(std::bit_cast<float>(a));
      const std::uint8_t host_flags = HostFpuScope::flags();
      std::uint8_t flags = 0;
      const std::uint32_t ours = f32_sqrt(a, rm, flags);
      ASSERT_EQ(ours, bits(host)) << "a=" << a << " mode " << static_cast<int>(rm);
      ASSERT_EQ(flags, host_flags) << "a=" << a << " mode " << static_cast<int>(rm);
    }
  }
}

TEST(FpuSqrtSweep, Binary32Subnormals) {
  for (Rounding rm : {Rounding::kRne, Rounding::kRtz, Rounding::kRdn, Rounding::kRup}) {
    HostFpuScope scope(*host_mode(rm));
    for (std::uint32_t a = kMinSub32; a <= kMaxSub32; a += 3 * kStride) {
      std::feclearexcept(FE_ALL_EXCEPT);
      const float host = host_sqrt(std::bit_cast<float>(a));
      const std::uint8_t host_flags = HostFpuScope::flags();
      std::uint8_t flags = 0;
      const std::uint32_t ours = f32_sqrt(a, rm, flags);
      ASSERT_EQ(ours, bits(host)) << "a=" << a;
      ASSERT_EQ(flags, host_flags) << "a=" << a;
    }
  }
}

}  // namespace
}  // namespace ftvm::machine::fpu::test
