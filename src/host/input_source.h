#pragma once
// A producer of host events for the guest (a disk backend's completions, a
// NIC's frames, console keys, entropy). The run loop polls wake_fd() when
// the guest is idle and calls collect() after every slice.
#include <vector>

#include "machine/core/io.h"

namespace ftvm::host {

class InputSource {
 public:
  virtual ~InputSource() = default;
  // Readable when collect() has something; -1 if there is nothing to poll.
  virtual int wake_fd() const = 0;
  // Appends pending inputs without blocking.
  virtual void collect(std::vector<machine::Input>& out) = 0;
  // The user asked to stop the VM (signal, console escape).
  virtual bool stop_requested() const { return false; }
};

}  // namespace ftvm::host
