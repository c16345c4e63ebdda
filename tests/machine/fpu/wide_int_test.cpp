// The 128-bit helpers under the soft-float: integer square root and jamming.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "machine/fpu/wide_int.h"

namespace ftvm::machine::fpu::detail {
namespace {

void expect_floor_sqrt(u128 n) {
  const SquareRoot r = integer_sqrt(n);
  const u128 root = r.root;
  ASSERT_EQ(root * root + r.remainder, n);
  // (root + 1)^2 > n, written to avoid overflow: remainder <= 2 * root.
  ASSERT_LE(r.remainder, 2 * root);
}

TEST(FpuWideInt, IntegerSqrtOfPerfectSquaresAndNeighbours) {
  for (std::uint64_t root : {std::uint64_t{1} << 62, (std::uint64_t{1} << 63) - 1, std::uint64_t{0xb504f333f9de6484},
                             std::uint64_t{3}, std::uint64_t{0}}) {
    const u128 square = u128{root} * root;
    expect_floor_sqrt(square);
    EXPECT_EQ(integer_sqrt(square).root, root);
    EXPECT_EQ(integer_sqrt(square).remainder, 0u);
    if (square != 0) expect_floor_sqrt(square - 1);
    expect_floor_sqrt(square + 1);
  }
}

TEST(FpuWideInt, IntegerSqrtRandomAcrossSizes) {
  std::mt19937_64 rng(41);
  for (int i = 0; i < 200000; ++i) {
    const int width = 1 + static_cast<int>(rng() % 127);
    u128 n = (u128{rng()} << 64) | rng();
    n >>= 128 - width;
    expect_floor_sqrt(n);
  }
}

TEST(FpuWideInt, ShiftRightJamKeepsLostBitsAsSticky) {
  EXPECT_EQ(shift_right_jam(0b1000, 3), 1u);
  EXPECT_EQ(shift_right_jam(0b1001, 3), 1u | 1u);
  EXPECT_EQ(shift_right_jam(0b10100, 2), 0b101u);
  EXPECT_EQ(shift_right_jam(0b10110, 2), 0b101u | 1u);
  EXPECT_EQ(shift_right_jam(u128{1} << 127, 200), 1u);
  EXPECT_EQ(shift_right_jam(0, 200), 0u);
  EXPECT_EQ(leading_zeros(u128{1}), 127);
  EXPECT_EQ(leading_zeros(u128{1} << 64), 63);
}

}  // namespace
}  // namespace ftvm::machine::fpu::detail
