#pragma once
// The host's monotonic time, behind an interface so the run loop's timing
// decisions can be tested with a fake clock.
#include <chrono>
#include <cstdint>

namespace ftvm::host {

class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  virtual std::int64_t now_ns() const = 0;
};

class SteadyClock final : public MonotonicClock {
 public:
  std::int64_t now_ns() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace ftvm::host
