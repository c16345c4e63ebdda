#pragma once
// Keeps the status line and file current while a process runs the guest
// alone in the plain live run loop (a backup after it went live): the loop
// calls collect() after every slice, which is when a sample is taken. Alone,
// it has no peer, whatever the options named before.
#include <string>
#include <utility>
#include <vector>

#include "host/input_source.h"
#include "machine/platform/machine.h"
#include "pair/status_line.h"

namespace ftvm::pair {

class LiveStatusFeed final : public host::InputSource {
 public:
  // `log_bytes`: what this process logged or received before it went live.
  LiveStatusFeed(StatusLine line, std::string role, const machine::Machine& m, std::uint64_t log_bytes)
      : line_(std::move(line)), role_(std::move(role)), m_(m), log_bytes_(log_bytes) {
    line_.set_peer(std::string(kNoPeer));
  }

  int wake_fd() const override { return -1; }  // produces no inputs: nothing to wait for
  void collect(std::vector<machine::Input>&) override {
    StatusSample s;
    s.role = role_;
    s.state = ft::NodeState::kLive;
    s.instret = m_.instret();
    s.log_bytes = log_bytes_;
    line_.maybe_print(s);
  }

 private:
  StatusLine line_;
  std::string role_;
  const machine::Machine& m_;
  std::uint64_t log_bytes_;
};

}  // namespace ftvm::pair
