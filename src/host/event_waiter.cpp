#include "host/event_waiter.h"

#include <poll.h>

#include <vector>

namespace ftvm::host {

void PollWaiter::wait(std::span<const int> fds, std::optional<std::int64_t> timeout_ns) {
  std::vector<pollfd> p;
  for (int fd : fds)
    if (fd >= 0) p.push_back({fd, POLLIN, 0});
  timespec ts{};
  timespec* tsp = nullptr;
  if (timeout_ns) {
    std::int64_t ns = *timeout_ns < 0 ? 0 : *timeout_ns;
    ts.tv_sec = ns / 1'000'000'000;
    ts.tv_nsec = ns % 1'000'000'000;
    tsp = &ts;
  }
  ::ppoll(p.data(), p.size(), tsp, nullptr);  // EINTR: the loop just looks again
}

}  // namespace ftvm::host
