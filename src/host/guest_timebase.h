#pragma once
// Converts between host monotonic time and the guest's mtime ticks. mtime 0
// (or the given start) is the moment of construction; the tick rate is the
// machine's timebase frequency.
#include <cstdint>

#include "host/monotonic_clock.h"

namespace ftvm::host {

class GuestTimebase {
 public:
  GuestTimebase(const MonotonicClock& clock, std::uint64_t timebase_hz);
  // For a machine that has already run (a backup taking over): mtime
  // continues from `start_mtime` instead of 0, so the guest's clock neither
  // stands still nor jumps back.
  GuestTimebase(const MonotonicClock& clock, std::uint64_t timebase_hz, std::uint64_t start_mtime);

  // Host time since boot, in ticks (rounded down).
  std::uint64_t mtime_now() const;
  // Host nanoseconds from now until the host clock reaches `mtime` (rounded
  // up, so sleeping that long always gets there); <= 0 when already there.
  std::int64_t ns_until(std::uint64_t mtime) const;
  std::int64_t elapsed_ns() const { return clock_.now_ns() - boot_ns_; }

  static std::uint64_t ns_to_ticks(std::int64_t ns, std::uint64_t hz);
  static std::int64_t ticks_to_ns_ceil(std::uint64_t ticks, std::uint64_t hz);  // saturates at INT64_MAX

 private:
  const MonotonicClock& clock_;
  std::uint64_t hz_;
  std::int64_t boot_ns_;
};

}  // namespace ftvm::host
