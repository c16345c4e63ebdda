#pragma once
// Named bit patterns and small helpers shared by the FPU tests.
#include <bit>
#include <cstdint>
#include <ostream>

#include "machine/fpu/fpu.h"

namespace ftvm::machine::fpu::test {

inline constexpr Rounding kAllModes[] = {Rounding::kRne, Rounding::kRtz, Rounding::kRdn, Rounding::kRup,
                                         Rounding::kRmm};

inline std::uint32_t bits(float f) { return std::bit_cast<std::uint32_t>(f); }
inline std::uint64_t bits(double d) { return std::bit_cast<std::uint64_t>(d); }

// binary32
inline constexpr std::uint32_t kPosZero32 = 0x00000000u;
inline constexpr std::uint32_t kNegZero32 = 0x80000000u;
inline constexpr std::uint32_t kPosInf32 = 0x7f800000u;
inline constexpr std::uint32_t kNegInf32 = 0xff800000u;
inline constexpr std::uint32_t kQNan32 = 0x7fc12345u;   // quiet, with a payload
inline constexpr std::uint32_t kSNan32 = 0x7f812345u;   // signaling
inline constexpr std::uint32_t kMinSub32 = 0x00000001u;  // 2^-149
inline constexpr std::uint32_t kMaxSub32 = 0x007fffffu;
inline constexpr std::uint32_t kMinNorm32 = 0x00800000u;  // 2^-126
inline constexpr std::uint32_t kMaxFinite32 = 0x7f7fffffu;
inline constexpr std::uint32_t kOne32 = 0x3f800000u;

// binary64
inline constexpr std::uint64_t kPosZero64 = 0;
inline constexpr std::uint64_t kNegZero64 = 0x8000000000000000ull;
inline constexpr std::uint64_t kPosInf64 = 0x7ff0000000000000ull;
inline constexpr std::uint64_t kNegInf64 = 0xfff0000000000000ull;
inline constexpr std::uint64_t kQNan64 = 0x7ff8000000abcdefull;
inline constexpr std::uint64_t kSNan64 = 0x7ff0000000abcdefull;
inline constexpr std::uint64_t kMinSub64 = 1;  // 2^-1074
inline constexpr std::uint64_t kMaxSub64 = 0x000fffffffffffffull;
inline constexpr std::uint64_t kMinNorm64 = 0x0010000000000000ull;  // 2^-1022
inline constexpr std::uint64_t kMaxFinite64 = 0x7fefffffffffffffull;
inline constexpr std::uint64_t kOne64 = 0x3ff0000000000000ull;

inline constexpr std::uint8_t kNoFlags = 0;

}  // namespace ftvm::machine::fpu::test

namespace ftvm::machine::fpu::test {

// A result together with the flags the operation raised from a clean state.
template <typename T>
struct Outcome {
  T value;
  std::uint8_t flags;
  bool operator==(const Outcome&) const = default;
};

template <typename T>
std::ostream& operator<<(std::ostream& os, const Outcome<T>& o) {
  return os << "{value 0x" << std::hex << +o.value << ", flags 0x" << +o.flags << std::dec << "}";
}

template <typename Op, typename... Args>
auto outcome(Op op, Args... args) {
  std::uint8_t flags = 0;
  auto value = op(args..., flags);
  return Outcome<decltype(value)>{value, flags};
}

}  // namespace ftvm::machine::fpu::test
