#pragma once
// The guest's time (mtime) as a pure function of the instruction count,
// re-based by Time inputs. Between inputs it advances one tick every
// `instret_per_tick` instructions, so the guest sees fine-grained, monotonic
// time with no host reads; the host keeps it near wall-clock time by applying
// Time inputs (logged like any other input). A Time input never moves the
// clock backward. During WFI no instructions retire, so the clock stands
// still until the host's next Time input wakes the guest's timer.
#include <algorithm>
#include <cstdint>

#include "machine/core/instret.h"

namespace ftvm::machine {

class VirtualClock {
 public:
  explicit VirtualClock(std::uint64_t instret_per_tick = 100) : ipt_(instret_per_tick ? instret_per_tick : 1) {}

  std::uint64_t mtime(Instret now) const { return base_mtime_ + (now - base_instret_) / ipt_; }

  // Host clock sample (Time input) at count `now`.
  void sync(Instret now, std::uint64_t host_mtime) {
    base_mtime_ = std::max(mtime(now), host_mtime);
    base_instret_ = now;
  }
  // A guest write to mtime (CLINT): sets it exactly.
  void set(Instret now, std::uint64_t value) {
    base_mtime_ = value;
    base_instret_ = now;
  }
  // Smallest count >= now at which mtime() >= target.
  Instret instret_at(std::uint64_t target, Instret now) const {
    if (mtime(now) >= target) return now;
    std::uint64_t ticks = target - base_mtime_;
    if (ticks > (UINT64_MAX - base_instret_) / ipt_) return UINT64_MAX;
    return base_instret_ + ticks * ipt_;
  }
  std::uint64_t instret_per_tick() const { return ipt_; }
  std::uint64_t base_mtime() const { return base_mtime_; }
  Instret base_instret() const { return base_instret_; }
  void restore(std::uint64_t base_mtime, Instret base_instret) {
    base_mtime_ = base_mtime;
    base_instret_ = base_instret;
  }

 private:
  std::uint64_t ipt_;
  std::uint64_t base_mtime_ = 0;
  Instret base_instret_ = 0;
};

}  // namespace ftvm::machine
