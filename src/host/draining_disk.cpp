#include "host/draining_disk.h"

#include <poll.h>

namespace ftvm::host {

void DrainingDisk::submit(disk::DiskRequest req) {
  ++outstanding_;
  inner_->submit(std::move(req));
}

std::vector<disk::DiskCompletion> DrainingDisk::take_completions() {
  std::vector<disk::DiskCompletion> done = inner_->take_completions();
  outstanding_ -= std::min<std::uint64_t>(outstanding_, done.size());
  return done;
}

bool DrainingDisk::drain(std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    take_completions();
    if (outstanding_ == 0) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{inner_->wake_fd(), POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(left.count()));
  }
}

}  // namespace ftvm::host
