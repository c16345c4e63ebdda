#pragma once
// A host clock the test moves by hand, for timing decisions without sleeps.
#include <cstdint>

#include "host/monotonic_clock.h"

namespace ftvm::host {

class FakeClock final : public MonotonicClock {
 public:
  std::int64_t now_ns() const override { return now; }
  std::int64_t now = 5'000'000'000;  // boot is not at host time zero
};

}  // namespace ftvm::host
