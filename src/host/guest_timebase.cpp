#include "host/guest_timebase.h"

#include <limits>

namespace ftvm::host {

namespace {
constexpr unsigned __int128 kNsPerSecond = 1'000'000'000;
}

GuestTimebase::GuestTimebase(const MonotonicClock& clock, std::uint64_t timebase_hz)
    : GuestTimebase(clock, timebase_hz, 0) {}

GuestTimebase::GuestTimebase(const MonotonicClock& clock, std::uint64_t timebase_hz, std::uint64_t start_mtime)
    : clock_(clock), hz_(timebase_hz ? timebase_hz : 1), start_mtime_(start_mtime), boot_ns_(clock.now_ns()) {}

std::uint64_t GuestTimebase::ns_to_ticks(std::int64_t ns, std::uint64_t hz) {
  if (ns <= 0) return 0;
  return static_cast<std::uint64_t>(static_cast<unsigned __int128>(ns) * hz / kNsPerSecond);
}

std::int64_t GuestTimebase::ticks_to_ns_ceil(std::uint64_t ticks, std::uint64_t hz) {
  unsigned __int128 ns = (static_cast<unsigned __int128>(ticks) * kNsPerSecond + hz - 1) / hz;
  constexpr auto kMax = static_cast<unsigned __int128>(std::numeric_limits<std::int64_t>::max());
  return ns > kMax ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(ns);
}

std::uint64_t GuestTimebase::mtime_now() const {
  const std::uint64_t ticks = ns_to_ticks(elapsed_ns(), hz_);
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  return ticks > kMax - start_mtime_ ? kMax : start_mtime_ + ticks;
}

// Measured from the start, with the same rounding as mtime_now(): once
// elapsed_ns() reaches the ceiling of the interval in nanoseconds,
// mtime_now() has reached `mtime`.
std::int64_t GuestTimebase::ns_until(std::uint64_t mtime) const {
  const std::int64_t now = elapsed_ns();
  if (mtime <= start_mtime_) return -now;
  return ticks_to_ns_ceil(mtime - start_mtime_, hz_) - now;
}

}  // namespace ftvm::host
