#pragma once
// Test-only bridge to the host FPU, used as an independent reference for the
// four rounding modes x86 SSE supports. x86 with masked exceptions detects
// tininess after rounding and raises UE only when the result is also
// inexact, exactly as RISC-V specifies; the cross-check confirms that.
//
// Every host operation sits in a non-inlined function behind volatile loads
// so the compiler can neither fold it at compile time nor move it across the
// fesetround/fetestexcept calls.
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <optional>

#include "machine/fpu/fpu.h"

namespace ftvm::machine::fpu::test {

inline std::optional<int> host_mode(Rounding rm) {
  switch (rm) {
    case Rounding::kRne: return FE_TONEAREST;
    case Rounding::kRtz: return FE_TOWARDZERO;
    case Rounding::kRdn: return FE_DOWNWARD;
    case Rounding::kRup: return FE_UPWARD;
    case Rounding::kRmm: break;
  }
  return std::nullopt;  // no host equivalent
}

// Sets the host rounding mode and clears the sticky exception flags for the
// scope's lifetime; restores round-to-nearest on exit.
class HostFpuScope {
 public:
  explicit HostFpuScope(int mode) {
    std::fesetround(mode);
    std::feclearexcept(FE_ALL_EXCEPT);
  }
  ~HostFpuScope() {
    std::feclearexcept(FE_ALL_EXCEPT);
    std::fesetround(FE_TONEAREST);
  }
  HostFpuScope(const HostFpuScope&) = delete;
  HostFpuScope& operator=(const HostFpuScope&) = delete;

  // The host flags raised so far, as fflags bits.
  static std::uint8_t flags() {
    const int raised = std::fetestexcept(FE_ALL_EXCEPT);
    std::uint8_t f = 0;
    if (raised & FE_INEXACT) f |= kInexact;
    if (raised & FE_UNDERFLOW) f |= kUnderflow;
    if (raised & FE_OVERFLOW) f |= kOverflow;
    if (raised & FE_DIVBYZERO) f |= kDivByZero;
    if (raised & FE_INVALID) f |= kInvalid;
    return f;
  }
};

template <typename T>
[[gnu::noinline]] T host_add(T a, T b) {
  volatile T x = a;
  volatile T y = b;
  return x + y;
}
template <typename T>
[[gnu::noinline]] T host_sub(T a, T b) {
  volatile T x = a;
  volatile T y = b;
  return x - y;
}
template <typename T>
[[gnu::noinline]] T host_mul(T a, T b) {
  volatile T x = a;
  volatile T y = b;
  return x * y;
}
template <typename T>
[[gnu::noinline]] T host_div(T a, T b) {
  volatile T x = a;
  volatile T y = b;
  return x / y;
}
template <typename T>
[[gnu::noinline]] T host_sqrt(T a) {
  volatile T x = a;
  return std::sqrt(static_cast<T>(x));
}
template <typename T>
[[gnu::noinline]] T host_fma(T a, T b, T c) {
  volatile T x = a;
  volatile T y = b;
  volatile T z = c;
  return std::fma(static_cast<T>(x), static_cast<T>(y), static_cast<T>(z));
}
[[gnu::noinline]] inline float host_narrow(double a) {
  volatile double x = a;
  return static_cast<float>(x);
}
[[gnu::noinline]] inline double host_widen(float a) {
  volatile float x = a;
  return static_cast<double>(x);
}
template <typename To, typename From>
[[gnu::noinline]] To host_from_int(From v) {
  volatile From x = v;
  return static_cast<To>(x);
}
// Round to an integer in the current mode (cvtsd2si-style), as a 64-bit value.
template <typename T>
[[gnu::noinline]] long long host_round_to_int(T a) {
  volatile T x = a;
  return std::llrint(static_cast<T>(x));
}

}  // namespace ftvm::machine::fpu::test
