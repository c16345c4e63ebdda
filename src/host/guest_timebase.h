#pragma once
// Converts between host monotonic time and the guest's mtime ticks. At the
// moment of construction mtime is the given start (0 for a fresh guest);
// from there it advances at the machine's timebase frequency, following the
// host clock.
#include <cstdint>

#include "host/monotonic_clock.h"

namespace ftvm::host {

class GuestTimebase {
 public:
  // A fresh guest: mtime 0 now.
  GuestTimebase(const MonotonicClock& clock, std::uint64_t timebase_hz);
  // A guest that has already run (a replay or a backup going live, a
  // clone): mtime continues from `start_mtime`, so the guest's clock
  // neither stands still until the host catches up nor jumps back.
  GuestTimebase(const MonotonicClock& clock, std::uint64_t timebase_hz, std::uint64_t start_mtime);

  // The start plus host time since construction, in ticks (rounded down;
  // saturates at UINT64_MAX).
  std::uint64_t mtime_now() const;
  // Host nanoseconds from now until the host clock reaches `mtime` (rounded
  // up, so sleeping that long always gets there); <= 0 when already there.
  std::int64_t ns_until(std::uint64_t mtime) const;
  // Host time since construction (for intervals between Time inputs).
  std::int64_t elapsed_ns() const { return clock_.now_ns() - boot_ns_; }

  static std::uint64_t ns_to_ticks(std::int64_t ns, std::uint64_t hz);
  static std::int64_t ticks_to_ns_ceil(std::uint64_t ticks, std::uint64_t hz);  // saturates at INT64_MAX

 private:
  const MonotonicClock& clock_;
  std::uint64_t hz_;
  // Kept apart from boot_ns_ (not folded into it as nanoseconds) so that no
  // start, however large, can overflow the host-time arithmetic, and the
  // start is exact rather than rounded to whole nanoseconds.
  std::uint64_t start_mtime_;
  std::int64_t boot_ns_;
};

}  // namespace ftvm::host
