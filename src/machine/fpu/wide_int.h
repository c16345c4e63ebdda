#pragma once
// 128-bit unsigned helpers for the soft-float core. Significands are held in
// 128 bits so that every intermediate (a 106-bit product, an aligned sum, a
// long quotient) is exact or carries an explicit sticky bit.
#include <cstdint>

namespace ftvm::machine::fpu::detail {

using u128 = unsigned __int128;

// Leading zero count of a non-zero value.
inline int leading_zeros(u128 x) {
  const auto hi = static_cast<std::uint64_t>(x >> 64);
  if (hi != 0) return __builtin_clzll(hi);
  return 64 + __builtin_clzll(static_cast<std::uint64_t>(x));
}

// x >> n with every shifted-out bit OR-ed into bit 0 ("jamming"), so that a
// later rounding step still sees that the value was not exact.
inline u128 shift_right_jam(u128 x, int n) {
  if (n <= 0) return x;
  if (n >= 128) return x != 0 ? 1 : 0;
  const u128 lost = x & ((u128{1} << n) - 1);
  return (x >> n) | (lost != 0 ? 1 : 0);
}

// floor(sqrt(n)) and the remainder n - root^2, in integer arithmetic only.
struct SquareRoot {
  std::uint64_t root;
  u128 remainder;
};

// The restoring digit-by-digit method: one result bit per step.
template <typename U>
U digit_by_digit_sqrt(U n) {
  U rest = n;
  U root = 0;
  U bit = U{1} << (sizeof(U) * 8 - 2);
  while (bit > rest) bit >>= 2;
  while (bit != 0) {
    if (rest >= root + bit) {
      rest -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  return root;
}

// For n < 2^128. When n has at least 124 bits (what the FPU passes), the
// root of the top 64 bits, scaled by 2^32, is below sqrt(n) by about 2^32
// at most; one Newton step from there lands at most a couple of units above
// floor(sqrt(n)) (Newton never undershoots), and a short multiply-and-compare
// walk finishes. Smaller inputs take the bit-serial route.
inline SquareRoot integer_sqrt(u128 n) {
  const auto top = static_cast<std::uint64_t>(n >> 64);
  u128 root = 0;
  if (top < (std::uint64_t{1} << 60)) {
    root = digit_by_digit_sqrt<u128>(n);
  } else {
    const u128 estimate = u128{digit_by_digit_sqrt<std::uint64_t>(top)} << 32;
    root = (estimate + n / estimate) / 2;
    while (root * root > n) --root;
  }
  return {static_cast<std::uint64_t>(root), n - root * root};
}

}  // namespace ftvm::machine::fpu::detail
