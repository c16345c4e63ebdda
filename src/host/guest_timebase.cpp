#include "host/guest_timebase.h"

#include <limits>

namespace ftvm::host {

namespace {
constexpr unsigned __int128 kNsPerSecond = 1'000'000'000;
}

GuestTimebase::GuestTimebase(const MonotonicClock& clock, std::uint64_t timebase_hz)
    : clock_(clock), hz_(timebase_hz ? timebase_hz : 1), boot_ns_(clock.now_ns()) {}

// Rounding the start up to whole nanoseconds keeps mtime_now() >= start.
GuestTimebase::GuestTimebase(const MonotonicClock& clock, std::uint64_t timebase_hz, std::uint64_t start_mtime)
    : GuestTimebase(clock, timebase_hz) {
  boot_ns_ -= ticks_to_ns_ceil(start_mtime, hz_);
}

std::uint64_t GuestTimebase::ns_to_ticks(std::int64_t ns, std::uint64_t hz) {
  if (ns <= 0) return 0;
  return static_cast<std::uint64_t>(static_cast<unsigned __int128>(ns) * hz / kNsPerSecond);
}

std::int64_t GuestTimebase::ticks_to_ns_ceil(std::uint64_t ticks, std::uint64_t hz) {
  unsigned __int128 ns = (static_cast<unsigned __int128>(ticks) * kNsPerSecond + hz - 1) / hz;
  constexpr auto kMax = static_cast<unsigned __int128>(std::numeric_limits<std::int64_t>::max());
  return ns > kMax ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(ns);
}

std::uint64_t GuestTimebase::mtime_now() const { return ns_to_ticks(elapsed_ns(), hz_); }

std::int64_t GuestTimebase::ns_until(std::uint64_t mtime) const {
  std::int64_t target = ticks_to_ns_ceil(mtime, hz_);
  std::int64_t now = elapsed_ns();
  return target - now;
}

}  // namespace ftvm::host
