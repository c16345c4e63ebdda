#pragma once
// A monotonic clock that can be moved forward once, so that a machine which
// has already run (a backup taking over) keeps its guest time when a new
// GuestTimebase is built for it: GuestTimebase counts from its construction,
// and without the shift a taken-over guest would see its clock stand still
// until host time since go-live caught up with the time it already had.
#include <cstdint>

#include "host/monotonic_clock.h"

namespace ftvm::pair {

class ResumedClock final : public host::MonotonicClock {
 public:
  std::int64_t now_ns() const override { return base_.now_ns() + shift_ns_; }
  // Call right after building the GuestTimebase on this clock.
  void resume_from(std::int64_t elapsed_ns) { shift_ns_ = elapsed_ns; }

 private:
  host::SteadyClock base_;
  std::int64_t shift_ns_ = 0;
};

}  // namespace ftvm::pair
