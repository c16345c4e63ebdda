#pragma once
// The FT node's clock: a periodic timerfd. Reading it tells how many
// periods passed since the last read, so a loop that was busy (a long run
// slice, a blocking TAS call) still delivers every tick, late but counted,
// and both sides' tick counts advance at the host clock's rate.
#include <chrono>
#include <cstdint>

#include "disk/unique_fd.h"

namespace ftvm::pair {

class TickTimer {
 public:
  explicit TickTimer(std::chrono::milliseconds period);
  int fd() const { return fd_.get(); }
  // Periods elapsed since the last call (never blocks).
  std::uint64_t take_expirations();

 private:
  disk::UniqueFd fd_;
};

}  // namespace ftvm::pair
