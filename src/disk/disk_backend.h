#pragma once
// A disk image the host serves to one virtual block device. Requests are
// asynchronous: submit() queues and returns at once (it is called on the vCPU
// thread, which must never wait for I/O); completions pile up until the run
// loop takes them, and wake_fd() is readable while any are waiting. A failed
// operation is a completion with an error status, never an exception.
#include <cstdint>
#include <string>
#include <vector>

#include "disk/disk_request.h"

namespace ftvm::disk {

class DiskBackend {
 public:
  virtual ~DiskBackend() = default;

  virtual std::uint64_t capacity() const = 0;  // bytes
  virtual bool read_only() const = 0;
  // Where the data lives, for log lines ("file /x.img", "nbd nbd://...").
  virtual std::string describe() const = 0;

  virtual void submit(DiskRequest req) = 0;
  virtual std::vector<DiskCompletion> take_completions() = 0;
  virtual int wake_fd() const = 0;
};

}  // namespace ftvm::disk
