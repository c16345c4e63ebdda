#pragma once
// Collects a disk backend's completions the way the run loop does: sleep in
// poll() on wake_fd(), then take what is there. Bounded by a timeout.
#include <poll.h>

#include <chrono>
#include <map>

#include "disk/disk_backend.h"

namespace ftvm::testing {

inline std::map<std::uint64_t, disk::DiskCompletion> wait_completions(disk::DiskBackend& backend, std::size_t count,
                                                                     int timeout_ms = 10'000) {
  std::map<std::uint64_t, disk::DiskCompletion> by_tag;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (by_tag.size() < count && std::chrono::steady_clock::now() < deadline) {
    pollfd p{backend.wake_fd(), POLLIN, 0};
    ::poll(&p, 1, 100);
    for (auto& c : backend.take_completions()) by_tag[c.tag] = std::move(c);
  }
  return by_tag;
}

}  // namespace ftvm::testing
