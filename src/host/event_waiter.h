#pragma once
// How the run loop sleeps while the guest is idle: until one of the fds is
// readable or the timeout passes. An interface so tests can fake time.
#include <cstdint>
#include <optional>
#include <span>

namespace ftvm::host {

class EventWaiter {
 public:
  virtual ~EventWaiter() = default;
  // timeout_ns: nullopt = no timeout. Returns early on a readable fd.
  virtual void wait(std::span<const int> fds, std::optional<std::int64_t> timeout_ns) = 0;
};

class PollWaiter final : public EventWaiter {
 public:
  void wait(std::span<const int> fds, std::optional<std::int64_t> timeout_ns) override;
};

}  // namespace ftvm::host
