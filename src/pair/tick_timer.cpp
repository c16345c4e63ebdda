#include "pair/tick_timer.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "machine/core/error.h"

namespace ftvm::pair {

TickTimer::TickTimer(std::chrono::milliseconds period)
    : fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
  if (!fd_.valid()) throw Error(std::string("timerfd_create: ") + std::strerror(errno));
  itimerspec spec{};
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(period).count();
  spec.it_interval.tv_sec = ns / 1'000'000'000;
  spec.it_interval.tv_nsec = ns % 1'000'000'000;
  spec.it_value = spec.it_interval;
  if (::timerfd_settime(fd_.get(), 0, &spec, nullptr) != 0)
    throw Error(std::string("timerfd_settime: ") + std::strerror(errno));
}

std::uint64_t TickTimer::take_expirations() {
  std::uint64_t n = 0;
  if (::read(fd_.get(), &n, sizeof n) != sizeof n) return 0;
  return n;
}

}  // namespace ftvm::pair
