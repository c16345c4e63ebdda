#pragma once
// Serves the guest's entropy requests (virtio-rng) from the host's
// getrandom(). The answer is an Input like any other, so a replaying backup
// gets the very same bytes from the log instead of from its own host.
#include <deque>

#include "host/input_source.h"

namespace ftvm::host {

class EntropySource final : public InputSource {
 public:
  // Queues the completion for request `out` (kEntropyRequest: tag, length).
  void request(const machine::Output& out);
  int wake_fd() const override { return -1; }  // answers are ready at once
  void collect(std::vector<machine::Input>& out) override;

 private:
  std::deque<machine::Input> ready_;
};

}  // namespace ftvm::host
